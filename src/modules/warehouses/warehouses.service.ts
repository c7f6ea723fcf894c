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
import type { AddressDto } from '../addresses';
import { AuditService } from '../audit';
import type { CreateWarehouseDto, UpdateWarehouseDto, WarehouseDto } from './dto/warehouse.dto';
import { foldedContains } from '../../core/database/folded-text';

interface WarehouseRow {
  id: string;
  code: string;
  name: string;
  address_line1: string | null;
  address_line2: string | null;
  address_city: string | null;
  address_region: string | null;
  address_postal_code: string | null;
  address_country_code: string | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'code' | 'name' | 'createdAt';
type Filter = 'isActive' | 'countryCode' | 'q';
export const WAREHOUSE_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['code', 'name', 'createdAt'],
  defaultSort: 'code',
  filters: { isActive: 'boolean', countryCode: 'string', q: 'string' },
};
const SORT_COLUMNS: Record<Sort, string> = {
  code: 'lower(code)',
  name: 'name',
  createdAt: 'created_at',
};
const COLUMNS = `id, code, name, address_line1, address_line2, address_city, address_region,
  address_postal_code, address_country_code, is_active, created_at, updated_at, version`;

/** The owned address value in its `address_*` columns (all null when there is none). */
const addressColumns = (address: AddressDto | null | undefined) => [
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
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<WarehouseDto>> {
    return this.db.run(orgId, async (manager) => {
      const { isActive, countryCode, q } = query.filters;
      const where = new Conditions()
        .add('organization_id = ?', orgId)
        .addIf(isActive, 'is_active = ?')
        .addIf(countryCode, 'address_country_code = ?')
        .addIf(
          q,
          `(code ILIKE ? OR ${foldedContains('name')} OR ${foldedContains('address_city')})`,
          contains(q),
          q,
          q,
        );
      const { rows, total } = await selectPage<WarehouseRow>(manager, {
        select: COLUMNS,
        from: 'warehouses',
        where,
        order: orderBy(query.sort, SORT_COLUMNS),
        query,
      });
      return toPage(rows.map(toDto), total, query);
    });
  }

  async find(manager: EntityManager, orgId: string, id: string): Promise<WarehouseDto> {
    const [row] = await manager.query<WarehouseRow[]>(
      `SELECT ${COLUMNS} FROM warehouses WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    if (!row) throw new NotFoundError('Warehouse');
    return toDto(row);
  }

  /**
   * For stock moves, in the caller's transaction: the organization's locations among `ids`,
   * share-locked (`FOR SHARE`, in id order) so their `allowNegative`/`isActive` cannot change
   * until the caller commits. Ids that are not locations of the organization are simply absent.
   */
  async lockLocationsForStock(
    manager: EntityManager,
    orgId: string,
    ids: string[],
  ): Promise<Map<string, { id: string; allowNegative: boolean; isActive: boolean }>> {
    const rows = await manager.query<{ id: string; allow_negative: boolean; is_active: boolean }[]>(
      `SELECT id, allow_negative, is_active FROM stock_locations
        WHERE organization_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR SHARE`,
      [orgId, ids],
    );
    return new Map(
      rows.map((r) => [r.id, { id: r.id, allowNegative: r.allow_negative, isActive: r.is_active }]),
    );
  }

  get(orgId: string, id: string): Promise<WarehouseDto> {
    return this.db.run(orgId, (manager) => this.find(manager, orgId, id));
  }

  create(orgId: string, dto: CreateWarehouseDto, context: AuditContext): Promise<WarehouseDto> {
    return this.db.run(orgId, async (manager) => {
      const id = uuidv7();
      await manager.query(
        `INSERT INTO warehouses (id, organization_id, code, name, address_line1, address_line2, address_city,
                                 address_region, address_postal_code, address_country_code, is_active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [id, orgId, dto.code, dto.name, ...addressColumns(dto.address), dto.isActive ?? true],
      );
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
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      const address = dto.address !== undefined ? dto.address : before.address;
      return this.audit.recordVersionedUpdate(
        manager,
        before,
        ['code', 'name', 'address', 'isActive'],
        {
          table: 'warehouses',
          set: `code = COALESCE($4, code),
            name = COALESCE($5, name), address_line1 = $6, address_line2 = $7,
            address_city = $8, address_region = $9, address_postal_code = $10,
            address_country_code = $11, is_active = COALESCE($12, is_active)`,
          values: [
            dto.code ?? null,
            dto.name ?? null,
            ...addressColumns(address),
            dto.isActive ?? null,
          ],
          returning: COLUMNS,
          toDto,
        },
        { organizationId: orgId, entityType: 'warehouse', entityId: id, context },
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
      // Its locations keep it by their RESTRICT foreign key (409).
      await manager.query('DELETE FROM warehouses WHERE organization_id = $1 AND id = $2', [
        orgId,
        id,
      ]);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'warehouse',
        entityId: id,
        changes: { code: before.code, name: before.name },
        context,
      });
    });
  }
}
