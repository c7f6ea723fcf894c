import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { copyLine } from './row-source';
import { assertNoDeferredStatements } from '../../core/tenancy';

/**
 * `COPY table (columns) FROM STDIN` on the connection of the caller's transaction — the fastest
 * way to get rows into PostgreSQL — fed from an in-memory batch as CSV. NULL is only a bare empty
 * field (`NULL ''`); every value, `''` included, is written quoted (`copyLine`), so empty text
 * stays `''` and null stays NULL. The only way rows reach a staging table.
 */
export async function copyRows(
  manager: EntityManager,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
): Promise<void> {
  const client = (
    manager.queryRunner as unknown as {
      databaseConnection?: { query: (s: unknown) => NodeJS.WritableStream };
    }
  )?.databaseConnection;
  if (!client) throw new Error('copyRows needs a transaction (a connected query runner)');
  const sink = client.query(
    copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT csv, NULL '')`),
  );
  await pipeline(Readable.from(rows.map((r) => copyLine(r))), sink);
}

/** Runs the rest of the transaction as the tenant (row-level security), as `withTenant` does. */
export async function actAsTenant(manager: EntityManager, orgId: string): Promise<void> {
  assertNoDeferredStatements(manager, 'actAsTenant'); // they would run as the tenant at COMMIT
  await manager.query(
    `SELECT set_config('role', 'alees_tenant', true), set_config('app.current_org', $1, true)`,
    [orgId],
  );
}
