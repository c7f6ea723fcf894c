import { join } from 'node:path';

/**
 * Where the tests find PostgreSQL and Redis. Local defaults match the development machines;
 * CI overrides with TEST_DATABASE_URL / TEST_REDIS_URL (or REDIS_URL).
 */
export const TEST_ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL =
  process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(TEST_ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Runs a TypeScript entry in a child process: `[TS_RUNNER, 'src/cli.ts', ...args]` as the node
 * arguments. A plain .js main that requires the entry through ts-node, so Node ≥ 22.18 (24 LTS)
 * never type-strips the .ts main itself (which fails on decorators).
 */
export const TS_RUNNER = join(__dirname, '../../scripts/run-ts.cjs');

/** `OPENAPI_CONTRACT=off` stops checking every e2e response against the OpenAPI document. */
export const OPENAPI_CONTRACT_CHECKED = process.env.OPENAPI_CONTRACT !== 'off';
