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
import type { AddressDto } from '../addresses';
import { AuditService } from '../audit';
import type { CreateWarehouseDto, UpdateWarehouseDto, WarehouseDto } from './dto/warehouse.dto';
import {
  AddressColumns,
  WarehouseFilter,
  WarehouseRow,
  WarehouseSort,
  WarehousesRepository,
} from './warehouses.repository';

type Sort = WarehouseSort;
type Filter = WarehouseFilter;
export const WAREHOUSE_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'warehouses',
  sortable: ['code', 'name', 'createdAt'],
  defaultSort: 'code',
  filters: { isActive: 'boolean', countryCode: 'string', q: 'string' },
  fields: {
    id: { type: 'uuid', column: 'warehouses.id' },
    code: { type: 'string', column: 'warehouses.code' },
    name: { type: 'string', column: 'warehouses.name' },
    isActive: { type: 'boolean', column: 'warehouses.is_active' },
    city: { type: 'string', column: 'warehouses.address_city' },
    region: { type: 'string', column: 'warehouses.address_region' },
    postalCode: { type: 'string', column: 'warehouses.address_postal_code' },
    countryCode: { type: 'string', column: 'warehouses.address_country_code' },
    createdAt: { type: 'datetime', column: 'warehouses.created_at' },
    updatedAt: { type: 'datetime', column: 'warehouses.updated_at' },
  },
});

/** The owned address value in its `address_*` columns (all null when there is none). */
const addressColumns = (address: AddressDto | null | undefined): AddressColumns => [
  address?.line1 ?? null,
  address?.line2 ?? null,
  address?.city ?? null,
  address?.region ?? null,
  address?.postalCode ?? null,
  address?.countryCode ?? null,
];

const toDto = (row: WarehouseRow): WarehouseDto => ({
  id: row.id,
  code: row.code,
  name: row.name,
  address:
    row.address_line1 === null
      ? null
      : {
          line1: row.address_line1,
          line2: row.address_line2,
          city: row.address_city ?? '',
          region: row.address_region,
          postalCode: row.address_postal_code,
          countryCode: row.address_country_code ?? '',
        },
  isActive: row.is_active,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** Warehouses of one organization; stock lives on their locations. */
@Injectable()
export class WarehousesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly repository: WarehousesRepository,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<WarehouseDto>> {
    // Read path: one round trip per statement (no BEGIN/COMMIT), RLS as in `run` (SPEC §8).
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  /** The warehouse in the caller's transaction; `NotFoundError` (404) when the organization has none. */
  async find(manager: EntityManager, orgId: string, id: string): Promise<WarehouseDto> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Warehouse');
    return toDto(row);
  }

  /** Whether the organization has the warehouse (in the caller's transaction). */
  async exists(manager: EntityManager, orgId: string, id: string): Promise<boolean> {
    return (await this.repository.findById(manager, orgId, id)) !== undefined;
  }

  get(orgId: string, id: string): Promise<WarehouseDto> {
    return this.db.read(orgId, (manager) => this.find(manager, orgId, id));
  }

  create(orgId: string, dto: CreateWarehouseDto, context: AuditContext): Promise<WarehouseDto> {
    return this.db.run(orgId, async (manager) => {
      const id = uuidv7();
      await this.repository.insert(manager, orgId, {
        id,
        code: dto.code,
        name: dto.name,
        address: addressColumns(dto.address),
        isActive: dto.isActive ?? true,
      });
      const created = await this.find(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'warehouse',
        entityId: id,
        changes: { code: created.code, name: created.name },
        context,
      });
      return created;
    });
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateWarehouseDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<WarehouseDto> {
    return this.db.run(orgId, async (manager) => {
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        fields: ['code', 'name', 'address', 'isActive'],
        write: async (before) =>
          toDto(
            await this.repository.update(manager, orgId, id, before.version, {
              code: dto.code ?? null,
              name: dto.name ?? null,
              address: addressColumns(dto.address !== undefined ? dto.address : before.address),
              isActive: dto.isActive ?? null,
            }),
          ),
        entry: { organizationId: orgId, entityType: 'warehouse', entityId: id, context },
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
        // Its locations keep it by their RESTRICT foreign key (409).
        remove: () => this.repository.delete(manager, orgId, id),
        // What hangs off it (attachments, comments, followers, …) goes with it.
        target: 'warehouse',
        entry: { organizationId: orgId, entityType: 'warehouse', entityId: id, context },
        changes: (before) => ({ code: before.code, name: before.name }),
      });
    });
  }
}
