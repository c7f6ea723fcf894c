import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
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
import type { CategoryType } from './category.entity';

/** A `categories` row (a node of a typed, materialised-path tree). */
export interface CategoryRow {
  id: string;
  type: CategoryType;
  name: string;
  description: string;
  parent_id: string | null;
  path: string;
  depth: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export type CategorySort = 'name' | 'createdAt' | 'depth';
export type CategoryFilter = 'type' | 'parentId' | 'q';

const SORT_COLUMNS: Record<CategorySort, string> = {
  name: 'lower(name)',
  createdAt: 'created_at',
  depth: 'depth',
};
const COLUMNS = `id, type, name, description, parent_id, path, depth, created_at, updated_at, version`;

/**
 * The only SQL on `categories`. Every method takes the caller's transaction manager (the tenant
 * transaction of `TenantDatabase.run`) and the organization id first, puts the organization id in
 * every WHERE and never opens a transaction.
 */
@Injectable()
export class CategoriesRepository {
  /** One page of the organization's categories, filtered and sorted per `query`, with the total. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<CategorySort, CategoryFilter>,
  ): Promise<{ rows: CategoryRow[]; total: number }> {
    const { type, parentId, q } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(type, 'type = ?')
      .addIf(parentId, 'parent_id = ?')
      .addIf(q, foldedContains('name'), q);
    where.addFilter(query.filter);
    return selectPage<CategoryRow>(manager, {
      select: COLUMNS,
      from: 'categories',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** Whether the organization has the category `id` (of any type). */
  async exists(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { forShare?: boolean } = {},
  ): Promise<boolean> {
    return tenantRowExists(manager, 'categories', orgId, id, options);
  }

  /** The category, or undefined when the organization has none with that id. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<CategoryRow | undefined> {
    return selectTenantRow<CategoryRow>(manager, 'categories', COLUMNS, orgId, id);
  }

  /** Whether the organization has a category with that id and type. */
  async existsOfType(
    manager: EntityManager,
    orgId: string,
    id: string,
    type: CategoryType,
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM categories WHERE organization_id = $1 AND id = $2 AND type = $3',
      [orgId, id, type],
    );
    return rows.length > 0;
  }

  /** Row-locks the category (`FOR UPDATE`) until the caller's transaction ends. */
  async lockForUpdate(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await lockTenantRow(manager, 'categories', orgId, id);
  }

  /** Inserts a category at the given tree placement. */
  async insert(
    manager: EntityManager,
    orgId: string,
    row: {
      id: string;
      type: CategoryType;
      name: string;
      description: string;
      parentId: string | null;
      path: string;
      depth: number;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO categories (id, organization_id, type, name, description, parent_id, path, depth)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, orgId, row.type, row.name, row.description, row.parentId, row.path, row.depth],
    );
  }

  /** Guarded update at `version` (`updateVersioned`: 412 when the row moved on); null keeps a value. */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: { name: string | null; description: string | null },
  ): Promise<CategoryRow> {
    return updateVersioned<CategoryRow>(manager, {
      table: 'categories',
      organizationId: orgId,
      id,
      version,
      set: `name = COALESCE($4, name), description = COALESCE($5, description)`,
      values: [changes.name, changes.description],
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
    node: CategoryRow,
    parent: CategoryRow | null,
  ): Promise<void> {
    return moveSubtree(manager, 'categories', node, parent);
  }

  /** Deletes the category (children, products, contacts keep it by RESTRICT keys: 23503 → 409). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'categories', orgId, id);
  }
}
