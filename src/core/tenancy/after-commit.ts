import type { EntityManager, QueryRunner } from 'typeorm';

/** Where a transaction opened by `withTenant` / `runAsSystem` keeps its after-commit hooks. */
const HOOKS = Symbol('alees.afterCommit');

type HookData = { [HOOKS]?: (() => void)[] };

/**
 * Runs `hook` once the transaction of `manager` has committed (never when it rolls back), right
 * after its `COMMIT` answered: for signals to other processes that must not fire before the data
 * is visible (the outbox's wake-up). A hook registered twice (same function) runs once. Hooks are
 * synchronous and best effort: one that throws does not stop the others (start async work without
 * awaiting it and catch its errors). Returns `false` (and registers nothing) when the transaction
 * was not opened by `withTenant` or `TenantDatabase.runAsSystem`, which are the ones that run hooks;
 * the caller's fallback then applies (e.g. the relay's poll).
 */
export function afterCommit(manager: EntityManager, hook: () => void): boolean {
  const hooks = (manager.queryRunner?.data as HookData | undefined)?.[HOOKS];
  if (!hooks) return false;
  if (!hooks.includes(hook)) hooks.push(hook);
  return true;
}

/** Where the same transactions keep the statements `atCommit` deferred to their `COMMIT`. */
const STATEMENTS = Symbol('alees.atCommit');

/** A data-modifying statement with its own `$1`…`$n` placeholders (no RETURNING). */
export interface CommitStatement {
  sql: string;
  params: readonly unknown[];
}

type StatementData = { [STATEMENTS]?: CommitStatement[] };

/**
 * Defers `statement` to the transaction's end: `withTenant` / `runAsSystem` send the deferred
 * statements and `COMMIT` as one simple-protocol message (parameters inlined as literals by
 * `inlineParameters`), so a write whose last statement needs no answer — the audit row and its
 * outbox event — costs no round trip of its own. Statements run in the order deferred, in the
 * same transaction; a failure is the commit's failure (nothing is committed). Use it only for
 * statements nothing later in the transaction reads. A savepoint rolled back drops what was
 * deferred inside it ({@link withSavepoint}). Returns `false` (deferring nothing) outside those
 * helpers' transactions; the caller then runs the statement itself.
 */
export function atCommit(manager: EntityManager, statement: CommitStatement): boolean {
  const statements = (manager.queryRunner?.data as StatementData | undefined)?.[STATEMENTS];
  if (!statements) return false;
  statements.push(statement);
  return true;
}

/**
 * Throws when statements deferred with `atCommit` are waiting: call it before anything that
 * changes the role or the tenant settings for the rest of the transaction (`actAsTenant`), since
 * the deferred statements will run with the settings in force at `COMMIT`, not those they were
 * deferred under (an audit row of a system transaction would meet the tenant's row-level security).
 */
export function assertNoDeferredStatements(manager: EntityManager, what: string): void {
  const statements = (manager.queryRunner?.data as StatementData | undefined)?.[STATEMENTS];
  if (statements?.length) {
    throw new Error(`${what} after atCommit deferred ${statements.length} statement(s)`);
  }
}

/** Takes (and closes) the deferred statements: the helpers send them with `COMMIT`. */
export function takeCommitStatements(runner: QueryRunner): CommitStatement[] {
  const data = runner.data as StatementData;
  const statements = data[STATEMENTS] ?? [];
  delete data[STATEMENTS];
  return statements;
}

/**
 * `work` under a savepoint `name`. Resolves: the savepoint is released — unless
 * `rollbackWhen(value)` says otherwise, then it is rolled back (and left defined, as a no-op
 * PATCH always did: one round trip less; the transaction's end releases it). Throws: rolled back
 * and released, and the error rethrown (a failing rollback does not hide it). Every rollback also
 * drops the statements `atCommit` deferred inside it, as PostgreSQL drops the savepoint's writes.
 */
export async function withSavepoint<T>(
  manager: EntityManager,
  name: string,
  work: () => Promise<T>,
  rollbackWhen: (value: T) => boolean = () => false,
): Promise<T> {
  const statements = (manager.queryRunner?.data as StatementData | undefined)?.[STATEMENTS];
  const mark = statements?.length ?? 0;
  await manager.query(`SAVEPOINT ${name}`);
  let value: T;
  try {
    value = await work();
  } catch (error) {
    statements?.splice(mark);
    try {
      await manager.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await manager.query(`RELEASE SAVEPOINT ${name}`);
    } catch {
      // the transaction itself is gone; the original error says why
    }
    throw error;
  }
  if (rollbackWhen(value)) {
    statements?.splice(mark);
    await manager.query(`ROLLBACK TO SAVEPOINT ${name}`);
  } else {
    await manager.query(`RELEASE SAVEPOINT ${name}`);
  }
  return value;
}

/** Called by the transaction helpers as the transaction begins: `afterCommit` works from now on. */
export function openCommitHooks(runner: QueryRunner): void {
  (runner.data as HookData)[HOOKS] = [];
  (runner.data as StatementData)[STATEMENTS] = [];
}

/**
 * Takes the hooks registered so far and closes the list (later `afterCommit` calls return false):
 * the helpers call it once `work` resolved, then `runCommitHooks` once `COMMIT` answered.
 */
export function takeCommitHooks(runner: QueryRunner): (() => void)[] {
  const data = runner.data as HookData;
  const hooks = data[HOOKS] ?? [];
  delete data[HOOKS];
  return hooks;
}

/** Runs hooks taken by `takeCommitHooks`; a hook that throws is reported to `onError`. */
export function runCommitHooks(
  hooks: readonly (() => void)[],
  onError: (error: unknown) => void,
): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch (error) {
      onError(error);
    }
  }
}
