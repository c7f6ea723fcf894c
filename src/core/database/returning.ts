import type { EntityManager } from 'typeorm';

/**
 * Rows of an `UPDATE/DELETE ... RETURNING` statement. TypeORM's `query()` answers those with
 * `[rows, rowCount]` (and plain rows for SELECT/INSERT), which is easy to misread as "two rows".
 */
export async function returningRows<T>(
  manager: Pick<EntityManager, 'query'>,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const result: unknown = await manager.query(sql, parameters);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
