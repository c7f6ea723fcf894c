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
  updateVersioned,
} from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import type { ListQuery } from '../../core/http';

/** A `folders` row (a node of a materialised-path tree). */
export interface FolderRow {
  id: string;
  name: string;
  parent_id: string | null;
  path: string;
  depth: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export type FolderSort = 'name' | 'createdAt' | 'depth';
export type FolderFilter = 'parentId' | 'q';

const SORT_COLUMNS: Record<FolderSort, string> = {
  name: 'lower(name)',
  createdAt: 'created_at',
  depth: 'depth',
};
const COLUMNS = `id, name, parent_id, path, depth, created_at, updated_at, version`;

/**
 * The only SQL on `folders`. Every method takes the caller's tenant transaction and the
 * organization id first, puts the organization in every WHERE and never opens a transaction.
 */
@Injectable()
export class FoldersRepository {
  /** One page of the organization's folders, filtered and sorted per `query`, with the total. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<FolderSort, FolderFilter>,
  ): Promise<{ rows: FolderRow[]; total: number }> {
    const { parentId, q } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(parentId, 'parent_id = ?')
      .addIf(q, foldedContains('name'), q)
      .addFilter(query.filter);
    return selectPage<FolderRow>(manager, {
      select: COLUMNS,
      from: 'folders',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** The folder, or undefined when the organization has none with that id. */
  findById(manager: EntityManager, orgId: string, id: string): Promise<FolderRow | undefined> {
    return selectTenantRow<FolderRow>(manager, 'folders', COLUMNS, orgId, id);
  }

  /**
   * Whether the organization has the folder `id`, share-locked (`FOR SHARE`) so a delete running
   * at the same time waits for the caller's document (and then refuses: 409) or wins first.
   */
  async existsForShare(manager: EntityManager, orgId: string, id: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM folders WHERE organization_id = $1 AND id = $2 FOR SHARE',
      [orgId, id],
    );
    return rows.length > 0;
  }

  /** Row-locks the folder (`FOR UPDATE`) until the caller's transaction ends. */
  async lockForUpdate(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await lockTenantRow(manager, 'folders', orgId, id);
  }

  /** Inserts a folder at the given tree placement (a sibling's name ignoring case → 23505 → 409). */
  async insert(
    manager: EntityManager,
    orgId: string,
    row: { id: string; name: string; parentId: string | null; path: string; depth: number },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO folders (id, organization_id, name, parent_id, path, depth)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, orgId, row.name, row.parentId, row.path, row.depth],
    );
  }

  /** Renames at `version` (412 when the row moved on). */
  rename(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    name: string,
  ): Promise<FolderRow> {
    return updateVersioned<FolderRow>(manager, {
      table: 'folders',
      organizationId: orgId,
      id,
      version,
      set: 'name = $4',
      values: [name],
      returning: COLUMNS,
    });
  }

  /**
   * Moves `node` and its subtree under `parent` (null: a root) via core's `moveSubtree`; row-level
   * security confines the UPDATE to the tenant transaction's organization. 422 `tree_cycle`.
   */
  moveSubtree(
    manager: EntityManager,
    _orgId: string,
    node: FolderRow,
    parent: FolderRow | null,
  ): Promise<void> {
    return moveSubtree(manager, 'folders', node, parent);
  }

  /** Whether the folder holds a sub-folder or a document (deleted documents included: history). */
  async hasContent(manager: EntityManager, orgId: string, id: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM folders WHERE organization_id = $1 AND parent_id = $2
        UNION ALL
       SELECT 1 FROM documents WHERE organization_id = $1 AND folder_id = $2
        LIMIT 1`,
      [orgId, id],
    );
    return rows.length > 0;
  }

  /** Deletes the folder (children and documents keep it by RESTRICT keys: 23503 → 409). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'folders', orgId, id);
  }
}
