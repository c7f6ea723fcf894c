import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  openCommitHooks,
  runCommitHooks,
  takeCommitHooks,
  takeCommitStatements,
} from './after-commit';
import { commitTransaction } from './transaction-state';

const logger = new Logger('TenantTransaction');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant operation was attempted with no organization: a bug, never "all rows". */
export class TenantContextMissingError extends Error {
  constructor() {
    super('No organization in context for a tenant-scoped operation');
    this.name = 'TenantContextMissingError';
  }
}

/** Fails closed: returns the id only when it is a real organization id. */
export function requireOrganizationId(organizationId: string | null | undefined): string {
  if (!organizationId || !UUID.test(organizationId)) throw new TenantContextMissingError();
  return organizationId;
}

/**
 * Runs `work` in a transaction bound to one organization: the role becomes `alees_tenant` (subject
 * to row-level security) and `app.current_org` is set for this transaction only, so even a query
 * that forgot its `organization_id` filter cannot see or write another tenant's rows.
 * Hooks registered with `afterCommit` run once `COMMIT` answered (never after a rollback).
 */
export async function withTenant<T>(
  dataSource: DataSource,
  organizationId: string | null | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const orgId = requireOrganizationId(organizationId);
  // BEGIN and the tenant settings in one simple-protocol round trip (`set_config('role', ...,
  // true)` is SET LOCAL ROLE). The id is inlined only because it has just been checked to be a UUID.
  return inTransaction(
    dataSource,
    `BEGIN; SELECT set_config('role', 'alees_tenant', true), set_config('app.current_org', '${orgId}', true)`,
    work,
  );
}

/**
 * `work` in one transaction on one pooled connection: `begin` (a simple-protocol string that
 * starts the transaction, with any `SET LOCAL`s) in one round trip, then `work`, then a checked
 * `COMMIT` ({@link commitTransaction}: a transaction a swallowed error had aborted is reported,
 * not answered as a success), then the `afterCommit` hooks; any failure rolls back and rethrows.
 * The one transaction routine of `withTenant` and `TenantDatabase.runAsSystem`.
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  begin: string,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const client = (runner as unknown as { databaseConnection: SimpleQueryClient })
    .databaseConnection;
  // TypeORM tracks the transaction it did not start itself through these (audit checks the flag;
  // the depth makes a nested TypeORM transaction a savepoint instead of a second BEGIN/COMMIT —
  // which lint forbids anyway: use withSavepoint).
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  try {
    await client.query(begin);
    state.isTransactionActive = true;
    state.transactionDepth = 1;
    openCommitHooks(runner);
    const result = await work(runner.manager);
    state.isTransactionActive = false;
    state.transactionDepth = 0;
    const hooks = takeCommitHooks(runner);
    await commitTransaction(runner, takeCommitStatements(runner));
    runCommitHooks(hooks, (error) =>
      logger.warn({ error: (error as Error).message }, 'after-commit hook failed'),
    );
    return result;
  } catch (error) {
    state.isTransactionActive = false;
    state.transactionDepth = 0;
    await runner.query('ROLLBACK').catch(() => undefined); // harmless when nothing began
    throw error;
  } finally {
    await runner.release();
  }
}

/** The pg client's simple-query form (no parameters, several statements allowed). */
interface SimpleQueryClient {
  query(text: string): Promise<unknown>;
}
