import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { childPlacement, iso } from '../../core/database';
import {
  assertVersionMatches,
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
import type {
  CreateTaxJurisdictionDto,
  MoveTaxJurisdictionDto,
  TaxJurisdictionDto,
  UpdateTaxJurisdictionDto,
} from './dto/tax.dto';
import {
  JurisdictionFilter,
  JurisdictionRow,
  JurisdictionSort,
  TaxJurisdictionsRepository,
} from './tax-jurisdictions.repository';
import { TaxErrors } from './tax.errors';

type Sort = JurisdictionSort;
type Filter = JurisdictionFilter;
export const JURISDICTION_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'tax-jurisdictions',
  sortable: ['code', 'name', 'depth', 'createdAt'],
  defaultSort: 'depth,code',
  filters: { countryCode: 'string', parentId: 'uuid', q: 'string' },
  fields: {
    id: { type: 'uuid', column: 'tax_jurisdictions.id' },
    code: { type: 'string', column: 'tax_jurisdictions.code' },
    name: { type: 'string', column: 'tax_jurisdictions.name' },
    countryCode: { type: 'string', column: 'tax_jurisdictions.country_code' },
    parentId: { type: 'uuid', column: 'tax_jurisdictions.parent_id' },
    path: { type: 'text', column: 'tax_jurisdictions.path' },
    depth: { type: 'int', column: 'tax_jurisdictions.depth' },
    createdAt: { type: 'datetime', column: 'tax_jurisdictions.created_at' },
  },
});
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
    private readonly repository: TaxJurisdictionsRepository,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<TaxJurisdictionDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  /** The jurisdiction in the caller's transaction; `NotFoundError` (404) when the organization has none. */
  async find(manager: EntityManager, orgId: string, id: string): Promise<JurisdictionRow> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Tax jurisdiction');
    return row;
  }

  get(orgId: string, id: string): Promise<TaxJurisdictionDto> {
    return this.db.read(orgId, async (m) => toDto(await this.find(m, orgId, id)));
  }

  private async parentFor(manager: EntityManager, orgId: string, id: string) {
    const row = await this.repository.findById(manager, orgId, id);
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
      await this.repository.insert(manager, orgId, {
        id,
        code: dto.code,
        name: dto.name,
        countryCode: dto.countryCode ?? null,
        parentId: parent?.id ?? null,
        path,
        depth,
      });
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
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: async () => toDto(await this.find(manager, orgId, id)),
        fields: ['code', 'name', 'countryCode'],
        write: async (before) =>
          toDto(
            await this.repository.update(manager, orgId, id, before.version, {
              code: dto.code ?? null,
              name: dto.name ?? null,
              setCountryCode: dto.countryCode !== undefined,
              countryCode: dto.countryCode ?? null,
            }),
          ),
        entry: { organizationId: orgId, entityType: 'tax_jurisdiction', entityId: id, context },
      });
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
      await this.repository.lockForUpdate(manager, orgId, id);
      const node = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, node.version);
      const parent = dto.parentId ? await this.parentFor(manager, orgId, dto.parentId) : null;
      await this.repository.moveSubtree(manager, orgId, node, parent);
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
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        // Children and rates keep it by their RESTRICT foreign keys (409).
        remove: () => this.repository.delete(manager, orgId, id),
        entry: { organizationId: orgId, entityType: 'tax_jurisdiction', entityId: id, context },
        changes: (before) => ({ code: before.code, name: before.name }),
      });
    });
  }
}
