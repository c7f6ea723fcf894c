import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { iso } from '../../core/database';
import {
  defineList,
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
import {
  TaxCategoriesRepository,
  TaxCategoryFilter,
  TaxCategoryRow,
  TaxCategorySort,
} from './tax-categories.repository';

type Sort = TaxCategorySort;
type Filter = TaxCategoryFilter;
export const TAX_CATEGORY_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'tax-categories',
  sortable: ['code', 'name', 'createdAt'],
  defaultSort: 'code',
  filters: { q: 'string' },
  fields: {
    id: { type: 'uuid', column: 'tax_categories.id' },
    code: { type: 'string', column: 'tax_categories.code' },
    name: { type: 'string', column: 'tax_categories.name' },
    description: { type: 'text', column: 'tax_categories.description' },
    createdAt: { type: 'datetime', column: 'tax_categories.created_at' },
    updatedAt: { type: 'datetime', column: 'tax_categories.updated_at' },
  },
});
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
    private readonly repository: TaxCategoriesRepository,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<TaxCategoryDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  /** The tax category in the caller's transaction; `NotFoundError` (404) when the organization has none. */
  async find(manager: EntityManager, orgId: string, id: string): Promise<TaxCategoryRow> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Tax category');
    return row;
  }

  get(orgId: string, id: string): Promise<TaxCategoryDto> {
    return this.db.read(orgId, async (m) => toDto(await this.find(m, orgId, id)));
  }

  create(orgId: string, dto: CreateTaxCategoryDto, context: AuditContext): Promise<TaxCategoryDto> {
    return this.db.run(orgId, async (manager) => {
      const id = uuidv7();
      await this.repository.insert(manager, orgId, {
        id,
        code: dto.code,
        name: dto.name,
        description: dto.description ?? '',
      });
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
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: async () => toDto(await this.find(manager, orgId, id)),
        fields: ['code', 'name', 'description'],
        write: async (before) =>
          toDto(
            await this.repository.update(manager, orgId, id, before.version, {
              code: dto.code ?? null,
              name: dto.name ?? null,
              description: dto.description ?? null,
            }),
          ),
        entry: { organizationId: orgId, entityType: 'tax_category', entityId: id, context },
      });
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        remove: () => this.repository.delete(manager, orgId, id),
        entry: { organizationId: orgId, entityType: 'tax_category', entityId: id, context },
        changes: (before) => ({ code: before.code, name: before.name }),
      });
    });
  }
}
