import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import {
  childPlacement,
  Conditions,
  contains,
  iso,
  moveSubtree,
  orderBy,
  selectPage,
} from '../../core/database';
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
import type {
  CreateTaxJurisdictionDto,
  MoveTaxJurisdictionDto,
  TaxJurisdictionDto,
  UpdateTaxJurisdictionDto,
} from './dto/tax.dto';
import { foldedContains } from '../../core/database/folded-text';
import { TaxErrors } from './tax.errors';

interface JurisdictionRow {
  id: string;
  code: string;
  name: string;
  country_code: string | null;
  parent_id: string | null;
  path: string;
  depth: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'code' | 'name' | 'depth' | 'createdAt';
type Filter = 'countryCode' | 'parentId' | 'q';
export const JURISDICTION_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['code', 'name', 'depth', 'createdAt'],
  defaultSort: 'depth,code',
  filters: { countryCode: 'string', parentId: 'uuid', q: 'string' },
};
const SORT_COLUMNS: Record<Sort, string> = {
  code: 'lower(code)',
  name: 'name',
  depth: 'depth',
  createdAt: 'created_at',
};
const COLUMNS = `id, code, name, country_code, parent_id, path, depth, created_at, updated_at, version`;

const toDto = (row: JurisdictionRow): TaxJurisdictionDto => ({
  id: row.id,
  code: row.code,
  name: row.name,
  countryCode: row.country_code,
  parentId: row.parent_id,
  path: row.path,
  depth: row.depth,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** Tax jurisdictions of one organization, as a tree (country → state → city ...). */
@Injectable()
export class TaxJurisdictionsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<TaxJurisdictionDto>> {
    return this.db.run(orgId, async (manager) => {
      const { countryCode, parentId, q } = query.filters;
      const where = new Conditions()
        .add('organization_id = ?', orgId)
        .addIf(countryCode, 'country_code = ?')
        .addIf(parentId, 'parent_id = ?')
        .addIf(q, `(code ILIKE ? OR ${foldedContains('name')})`, contains(q), q);
      const { rows, total } = await selectPage<JurisdictionRow>(manager, {
        select: COLUMNS,
        from: 'tax_jurisdictions',
        where,
        order: orderBy(query.sort, SORT_COLUMNS),
        query,
      });
      return toPage(rows.map(toDto), total, query);
    });
  }

  async find(manager: EntityManager, orgId: string, id: string): Promise<JurisdictionRow> {
    const [row] = await manager.query<JurisdictionRow[]>(
      `SELECT ${COLUMNS} FROM tax_jurisdictions WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    if (!row) throw new NotFoundError('Tax jurisdiction');
    return row;
  }

  get(orgId: string, id: string): Promise<TaxJurisdictionDto> {
    return this.db.run(orgId, async (m) => toDto(await this.find(m, orgId, id)));
  }

  private async parentFor(manager: EntityManager, orgId: string, id: string) {
    const [row] = await manager.query<JurisdictionRow[]>(
      `SELECT ${COLUMNS} FROM tax_jurisdictions WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    if (!row) {
      throw TaxErrors.invalid_parent();
    }
    return row;
  }

  create(
    orgId: string,
    dto: CreateTaxJurisdictionDto,
    context: AuditContext,
  ): Promise<TaxJurisdictionDto> {
    return this.db.run(orgId, async (manager) => {
      const parent = dto.parentId ? await this.parentFor(manager, orgId, dto.parentId) : null;
      const id = uuidv7();
      const { path, depth } = childPlacement(id, parent);
      await manager.query(
        `INSERT INTO tax_jurisdictions (id, organization_id, code, name, country_code, parent_id, path, depth)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, orgId, dto.code, dto.name, dto.countryCode ?? null, parent?.id ?? null, path, depth],
      );
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'tax_jurisdiction',
        entityId: id,
        changes: { code: dto.code, name: dto.name, parentId: parent?.id ?? null },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
    });
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateTaxJurisdictionDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<TaxJurisdictionDto> {
    return this.db.run(orgId, async (manager) => {
      const before = toDto(await this.find(manager, orgId, id));
      assertVersionMatches(expectedVersion, before.version);
      return this.audit.recordVersionedUpdate(
        manager,
        before,
        ['code', 'name', 'countryCode'],
        {
          table: 'tax_jurisdictions',
          set: `code = COALESCE($4, code), name = COALESCE($5, name),
            country_code = CASE WHEN $6 THEN $7 ELSE country_code END`,
          values: [
            dto.code ?? null,
            dto.name ?? null,
            dto.countryCode !== undefined,
            dto.countryCode ?? null,
          ],
          returning: COLUMNS,
          toDto,
        },
        { organizationId: orgId, entityType: 'tax_jurisdiction', entityId: id, context },
      );
    });
  }

  move(
    orgId: string,
    id: string,
    dto: MoveTaxJurisdictionDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<TaxJurisdictionDto> {
    return this.db.run(orgId, async (manager) => {
      await manager.query('SELECT 1 FROM tax_jurisdictions WHERE id = $1 FOR UPDATE', [id]);
      const node = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, node.version);
      const parent = dto.parentId ? await this.parentFor(manager, orgId, dto.parentId) : null;
      await moveSubtree(manager, 'tax_jurisdictions', node, parent);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'move',
        entityType: 'tax_jurisdiction',
        entityId: id,
        changes: { parentId: { from: node.parent_id, to: parent?.id ?? null } },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
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
      // Children and rates keep it by their RESTRICT foreign keys (409).
      await manager.query('DELETE FROM tax_jurisdictions WHERE organization_id = $1 AND id = $2', [
        orgId,
        id,
      ]);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'tax_jurisdiction',
        entityId: id,
        changes: { code: before.code, name: before.name },
        context,
      });
    });
  }
}
