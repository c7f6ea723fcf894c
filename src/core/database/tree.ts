import type { EntityManager } from 'typeorm';
import { CoreErrors } from '../http/errors';
import { escapeLike } from './sql';

/** A node of a materialised-path tree: `path` is `/<root id>/.../<own id>/`. */
export interface TreeNode {
  id: string;
  path: string;
  depth: number;
}

/** Path and depth of a new node under `parent` (or a root). */
export const childPlacement = (id: string, parent: TreeNode | null) => ({
  path: `${parent?.path ?? '/'}${id}/`,
  depth: parent ? parent.depth + 1 : 0,
});

/**
 * Moves `node` and its whole subtree under `parent` (null: to the root) in one statement.
 * Refuses a move under itself or one of its descendants (422 `tree_cycle`). `table` comes from
 * code, never from input; the caller's transaction (and row-level security) scopes it.
 */
export async function moveSubtree(
  manager: EntityManager,
  table: string,
  node: TreeNode,
  parent: TreeNode | null,
): Promise<void> {
  if (parent && parent.path.startsWith(node.path)) {
    throw CoreErrors.tree_cycle();
  }
  const target = childPlacement(node.id, parent);
  await manager.query(
    `UPDATE ${table}
        SET path = $2 || substr(path, length($1) + 1),
            depth = depth + $3,
            parent_id = CASE WHEN id = $4 THEN $5::uuid ELSE parent_id END,
            version = version + CASE WHEN id = $4 THEN 1 ELSE 0 END,
            updated_at = CASE WHEN id = $4 THEN now() ELSE updated_at END
      WHERE path LIKE $6`,
    [
      node.path,
      target.path,
      target.depth - node.depth,
      node.id,
      parent?.id ?? null,
      `${escapeLike(node.path)}%`,
    ],
  );
}
