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

/** Called by the transaction helpers as the transaction begins: `afterCommit` works from now on. */
export function openCommitHooks(runner: QueryRunner): void {
  (runner.data as HookData)[HOOKS] = [];
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
