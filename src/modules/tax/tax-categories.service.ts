import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Conditions, contains, iso, orderBy, selectPage } from '../../core/database';
import {
  assertVersionMatches,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type { CreateTaxCategoryDto, TaxCategoryDto, UpdateTaxCategoryDto } from './dto/tax.dto';
import { foldedContains } from '../../core/database/folded-text';

interface TaxCategoryRow {
  id: string;
  code: string;
  name: string;
  description: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'code' | 'name' | 'createdAt';
type Filter = 'q';
export const TAX_CATEGORY_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['code', 'name', 'createdAt'],
  defaultSort: 'code',
  filters: { q: 'string' },
};
const SORT_COLUMNS: Record<Sort, string> = {
  code: 'lower(code)',
  name: 'name',
  createdAt: 'created_at',
};
const COLUMNS = 'id, code, name, description, created_at, updated_at, version';

const toDto = (row: TaxCategoryRow): TaxCategoryDto => ({
  id: row.id,
  code: row.code,
  name: row.name,
  description: row.description,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** What is taxed (standard, reduced, exempt ...), per organization. */
@Injectable()
export class TaxCategoriesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<TaxCategoryDto>> {
    return this.db.run(orgId, async (manager) => {
      const { q } = query.filters;
      const where = new Conditions()
        .add('organization_id = ?', orgId)
        .addIf(q, `(code ILIKE ? OR ${foldedContains('name')})`, contains(q), q);
      const { rows, total } = await selectPage<TaxCategoryRow>(manager, {
        select: COLUMNS,
        from: 'tax_categories',
        where,
        order: orderBy(query.sort, SORT_COLUMNS),
        query,
      });
      return toPage(rows.map(toDto), total, query);
    });
  }

  async find(manager: EntityManager, orgId: string, id: string): Promise<TaxCategoryRow> {
    const [row] = await manager.query<TaxCategoryRow[]>(
      `SELECT ${COLUMNS} FROM tax_categories WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    if (!row) throw new NotFoundError('Tax category');
    return row;
  }

  get(orgId: string, id: string): Promise<TaxCategoryDto> {
    return this.db.run(orgId, async (m) => toDto(await this.find(m, orgId, id)));
  }

  create(orgId: string, dto: CreateTaxCategoryDto, context: AuditContext): Promise<TaxCategoryDto> {
    return this.db.run(orgId, async (manager) => {
      const id = uuidv7();
      await manager.query(
        'INSERT INTO tax_categories (id, organization_id, code, name, description) VALUES ($1, $2, $3, $4, $5)',
        [id, orgId, dto.code, dto.name, dto.description ?? ''],
      );
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'tax_category',
        entityId: id,
        changes: { code: dto.code, name: dto.name },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
    });
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateTaxCategoryDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<TaxCategoryDto> {
    return this.db.run(orgId, async (manager) => {
      const before = toDto(await this.find(manager, orgId, id));
      assertVersionMatches(expectedVersion, before.version);
      return this.audit.recordVersionedUpdate(
        manager,
        before,
        ['code', 'name', 'description'],
        {
          table: 'tax_categories',
          set: `code = COALESCE($4, code), name = COALESCE($5, name),
            description = COALESCE($6, description)`,
          values: [dto.code ?? null, dto.name ?? null, dto.description ?? null],
          returning: COLUMNS,
          toDto,
        },
        { organizationId: orgId, entityType: 'tax_category', entityId: id, context },
      );
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      await manager.query('DELETE FROM tax_categories WHERE organization_id = $1 AND id = $2', [
        orgId,
        id,
      ]);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'tax_category',
        entityId: id,
        changes: { code: before.code, name: before.name },
        context,
      });
    });
  }
}
