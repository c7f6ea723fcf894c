import type { EntityManager } from 'typeorm';

/**
 * One tenant row by id, the statements every repository needs beside `updateVersioned`. `table`
 * and `columns` come from code, never from input; the caller's transaction (and row-level
 * security inside `TenantDatabase.run`) scopes them, and `organization_id = $1` is in every WHERE
 * all the same (STYLE.md "Tenant first"). The table must have `organization_id` and `id`.
 */
type Query = Pick<EntityManager, 'query'>;

/** The row's `columns`, or undefined when the organization has no row `id` in `table`. */
export async function selectTenantRow<Row>(
  manager: Query,
  table: string,
  columns: string,
  organizationId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Row | undefined> {
  const [row] = await manager.query<Row[]>(
    `SELECT ${columns} FROM ${table} WHERE organization_id = $1 AND id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [organizationId, id],
  );
  return row;
}

/**
 * Whether the organization has the row `id` in `table`. `forShare` also share-locks it until the
 * caller's transaction ends, so a concurrent delete waits (or, having deleted first, makes this
 * answer `false`): what a child row is about to hang off cannot vanish under it.
 */
export async function tenantRowExists(
  manager: Query,
  table: string,
  organizationId: string,
  id: string,
  options: { forShare?: boolean } = {},
): Promise<boolean> {
  const rows = await manager.query<unknown[]>(
    `SELECT 1 FROM ${table} WHERE organization_id = $1 AND id = $2${options.forShare ? ' FOR SHARE' : ''}`,
    [organizationId, id],
  );
  return rows.length > 0;
}

/** Row-locks (`FOR UPDATE`) the row until the caller's transaction ends; an absent id locks nothing. */
export async function lockTenantRow(
  manager: Query,
  table: string,
  organizationId: string,
  id: string,
): Promise<void> {
  await manager.query(`SELECT 1 FROM ${table} WHERE organization_id = $1 AND id = $2 FOR UPDATE`, [
    organizationId,
    id,
  ]);
}

/**
 * Deletes the row (a no-op when absent). Rows that others keep by RESTRICT foreign keys fail with
 * 23503, which the error mapper answers as 409.
 */
export async function deleteTenantRow(
  manager: Query,
  table: string,
  organizationId: string,
  id: string,
): Promise<void> {
  await manager.query(`DELETE FROM ${table} WHERE organization_id = $1 AND id = $2`, [
    organizationId,
    id,
  ]);
}
