import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  contains,
  deleteTenantRow,
  orderBy,
  selectPage,
  selectTenantRow,
  updateVersioned,
  tenantRowExists,
} from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import type { ListQuery } from '../../core/http';

/** A `warehouses` row as selected by {@link WarehousesRepository}. */
export interface WarehouseRow {
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

/** The owned address value in its six `address_*` columns, in column order (all null when none). */
export type AddressColumns = [
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
];

export type WarehouseSort = 'code' | 'name' | 'createdAt';
export type WarehouseFilter = 'isActive' | 'countryCode' | 'q';

const SORT_COLUMNS: Record<WarehouseSort, string> = {
  code: 'lower(code)',
  name: 'name',
  createdAt: 'created_at',
};
const COLUMNS = `id, code, name, address_line1, address_line2, address_city, address_region,
  address_postal_code, address_country_code, is_active, created_at, updated_at, version`;

/**
 * The only SQL on `warehouses`. Every method takes the caller's transaction manager (the tenant
 * transaction of `TenantDatabase.run`) and the organization id first, puts the organization id in
 * every WHERE and never opens a transaction.
 */
@Injectable()
export class WarehousesRepository {
  /**
   * Whether the organization has the warehouse `id`; `forShare` also share-locks it to the end of
   * the caller's transaction (see `tenantRowExists`).
   */
  exists(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { forShare?: boolean } = {},
  ): Promise<boolean> {
    return tenantRowExists(manager, 'warehouses', orgId, id, options);
  }

  /** One page of the organization's warehouses, filtered and sorted per `query`, with the total. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<WarehouseSort, WarehouseFilter>,
  ): Promise<{ rows: WarehouseRow[]; total: number }> {
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
    where.addFilter(query.filter);
    return selectPage<WarehouseRow>(manager, {
      select: COLUMNS,
      from: 'warehouses',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** The warehouse, or undefined when the organization has none with that id. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<WarehouseRow | undefined> {
    return selectTenantRow<WarehouseRow>(manager, 'warehouses', COLUMNS, orgId, id);
  }

  /** Inserts a warehouse (unique `code` per organization: a duplicate raises 23505 → 409). */
  async insert(
    manager: EntityManager,
    orgId: string,
    row: { id: string; code: string; name: string; address: AddressColumns; isActive: boolean },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO warehouses (id, organization_id, code, name, address_line1, address_line2, address_city,
                               address_region, address_postal_code, address_country_code, is_active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [row.id, orgId, row.code, row.name, ...row.address, row.isActive],
    );
  }

  /**
   * Guarded update at `version` (`updateVersioned`: 412 when the row moved on). Null `code`,
   * `name`, `isActive` keep the stored value; `address` is always written (all null clears it).
   */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: {
      code: string | null;
      name: string | null;
      address: AddressColumns;
      isActive: boolean | null;
    },
  ): Promise<WarehouseRow> {
    return updateVersioned<WarehouseRow>(manager, {
      table: 'warehouses',
      organizationId: orgId,
      id,
      version,
      set: `code = COALESCE($4, code),
        name = COALESCE($5, name), address_line1 = $6, address_line2 = $7,
        address_city = $8, address_region = $9, address_postal_code = $10,
        address_country_code = $11, is_active = COALESCE($12, is_active)`,
      values: [changes.code, changes.name, ...changes.address, changes.isActive],
      returning: COLUMNS,
    });
  }

  /** Deletes the warehouse (its locations keep it by a RESTRICT foreign key: 23503 → 409). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'warehouses', orgId, id);
  }
}
