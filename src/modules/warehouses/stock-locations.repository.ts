import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  contains,
  deleteTenantRow,
  lockTenantRow,
  moveSubtree,
  orderBy,
  selectPage,
  selectTenantRow,
  tenantRowExists,
  updateVersioned,
} from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import type { ListQuery } from '../../core/http';
import type { Statement } from '../../core/tenancy';

/** A `stock_locations` row as selected by {@link StockLocationsRepository}. */
export interface StockLocationRow {
  id: string;
  warehouse_id: string;
  parent_id: string | null;
  code: string;
  name: string;
  path: string;
  depth: number;
  allow_negative: boolean;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** What stock needs of a location it moves goods through (see `lockForStockStatement`). */
export interface StockLocationLock {
  id: string;
  allow_negative: boolean;
  is_active: boolean;
}

export type StockLocationSort = 'code' | 'name' | 'depth' | 'createdAt';
export type StockLocationFilter = 'warehouseId' | 'parentId' | 'isActive' | 'q';

const SORT_COLUMNS: Record<StockLocationSort, string> = {
  code: 'lower(code)',
  name: 'name',
  depth: 'depth',
  createdAt: 'created_at',
};
const COLUMNS = `id, warehouse_id, parent_id, code, name, path, depth, allow_negative, is_active,
  created_at, updated_at, version`;

/**
 * The only SQL on `stock_locations` (a materialised-path tree per warehouse). Every method takes
 * the caller's transaction manager and the organization id first, puts the organization id in
 * every WHERE and never opens a transaction.
 */
@Injectable()
export class StockLocationsRepository {
  /** One page of the organization's locations, filtered and sorted per `query`, with the total. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<StockLocationSort, StockLocationFilter>,
  ): Promise<{ rows: StockLocationRow[]; total: number }> {
    const { warehouseId, parentId, isActive, q } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(warehouseId, 'warehouse_id = ?')
      .addIf(parentId, 'parent_id = ?')
      .addIf(isActive, 'is_active = ?')
      .addIf(q, `(code ILIKE ? OR ${foldedContains('name')})`, contains(q), q);
    where.addFilter(query.filter);
    return selectPage<StockLocationRow>(manager, {
      select: COLUMNS,
      from: 'stock_locations',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** Whether the organization has the stock location `id`. */
  async exists(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { forShare?: boolean } = {},
  ): Promise<boolean> {
    return tenantRowExists(manager, 'stock_locations', orgId, id, options);
  }

  /** The location, or undefined when the organization has none with that id. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<StockLocationRow | undefined> {
    return selectTenantRow<StockLocationRow>(manager, 'stock_locations', COLUMNS, orgId, id);
  }

  /** Row-locks the location (`FOR UPDATE`) until the caller's transaction ends; absent ids lock nothing. */
  async lockForUpdate(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await lockTenantRow(manager, 'stock_locations', orgId, id);
  }

  /**
   * Share-locks the given locations (`FOR SHARE`, in id order so concurrent movers cannot
   * deadlock) and returns those the organization has; ids it does not have are simply absent.
   */
  lockForStockStatement(orgId: string, ids: readonly string[]): Statement<StockLocationLock[]> {
    return {
      sql: `SELECT id, allow_negative, is_active FROM stock_locations
             WHERE organization_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR SHARE`,
      params: [orgId, ids],
      decode: (rows) => rows as StockLocationLock[],
    };
  }

  /** Inserts a location at the given tree placement (unique code per warehouse: 23505 → 409). */
  async insert(
    manager: EntityManager,
    orgId: string,
    row: {
      id: string;
      warehouseId: string;
      parentId: string | null;
      code: string;
      name: string;
      path: string;
      depth: number;
      allowNegative: boolean;
      isActive: boolean;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO stock_locations (id, organization_id, warehouse_id, parent_id, code, name, path, depth,
                                    allow_negative, is_active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.id,
        orgId,
        row.warehouseId,
        row.parentId,
        row.code,
        row.name,
        row.path,
        row.depth,
        row.allowNegative,
        row.isActive,
      ],
    );
  }

  /** Guarded update at `version` (`updateVersioned`: 412 when the row moved on); null keeps a value. */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: {
      code: string | null;
      name: string | null;
      allowNegative: boolean | null;
      isActive: boolean | null;
    },
  ): Promise<StockLocationRow> {
    return updateVersioned<StockLocationRow>(manager, {
      table: 'stock_locations',
      organizationId: orgId,
      id,
      version,
      set: `code = COALESCE($4, code), name = COALESCE($5, name),
        allow_negative = COALESCE($6, allow_negative),
        is_active = COALESCE($7, is_active)`,
      values: [changes.code, changes.name, changes.allowNegative, changes.isActive],
      returning: COLUMNS,
    });
  }

  /**
   * Moves `node` (read in `_orgId` by the caller) and its subtree under `parent` (null: a root)
   * via core's `moveSubtree`; the subtree is selected by the node's path, which starts with its
   * own unique id, and row-level security confines the UPDATE to the tenant transaction's
   * organization. 422 `tree_cycle` when `parent` is inside the subtree.
   */
  moveSubtree(
    manager: EntityManager,
    _orgId: string,
    node: StockLocationRow,
    parent: StockLocationRow | null,
  ): Promise<void> {
    return moveSubtree(manager, 'stock_locations', node, parent);
  }

  /** Deletes the location (children, levels and ledger lines keep it by RESTRICT keys: 23503 → 409). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'stock_locations', orgId, id);
  }
}
