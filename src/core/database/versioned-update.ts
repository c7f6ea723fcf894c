import type { EntityManager } from 'typeorm';
import { PreconditionFailedError } from '../http/errors';
import { returningRows } from './returning';

/** One guarded, versioned UPDATE of a tenant row; see {@link updateVersioned}. */
export interface VersionedUpdate {
  /** The table, from code (never from input). It must have `organization_id`, `id`, `version`, `updated_at`. */
  table: string;
  organizationId: string;
  id: string;
  /** The version the caller read (and checked against `If-Match`); the row must still have it. */
  version: number;
  /** The assignments, from code, e.g. `name = COALESCE($4, name)`; their parameters start at `$4`. */
  set: string;
  /** The values of `$4`, `$5`, …, in order. */
  values: unknown[];
  /** The `RETURNING` column list, from code. */
  returning: string;
}

/**
 * Runs `UPDATE <table> SET <set>, version = version + 1, updated_at = now() WHERE
 * organization_id = $1 AND id = $2 AND version = $3 RETURNING <returning>` in the caller's
 * transaction (row-level security applies inside `withTenant`) and returns the updated row.
 * Throws `PreconditionFailedError` (412, SPEC "Optimistic concurrency") when no row matched: the
 * row changed (or went) since the caller read `version`. Same spirit as `moveSubtree`.
 */
export async function updateVersioned<Row>(
  manager: Pick<EntityManager, 'query'>,
  update: VersionedUpdate,
): Promise<Row> {
  const rows = await returningRows<Row>(
    manager,
    `UPDATE ${update.table} SET ${update.set}, version = version + 1, updated_at = now()
      WHERE organization_id = $1 AND id = $2 AND version = $3 RETURNING ${update.returning}`,
    [update.organizationId, update.id, update.version, ...update.values],
  );
  if (rows.length !== 1) throw new PreconditionFailedError();
  return rows[0];
}
