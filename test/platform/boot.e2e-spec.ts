import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TS_RUNNER } from '../support/env';

const ROOT = join(__dirname, '../..');

/** Boots an entry the way production does (a child process), with exactly this environment. */
function boot(entry: string, env: Record<string, string>, args: string[] = []) {
  return spawnSync(process.execPath, [TS_RUNNER, join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('boot refuses bad configuration', () => {
  it('production without JWT_SECRET_KEY exits non-zero naming the variable', () => {
    const result = boot('src/main.api.ts', {
      ENVIRONMENT: 'production',
      DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/alees',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('JWT_SECRET_KEY');
    expect(result.stderr).not.toContain('pw@');
  });

  it('names every invalid variable at once, for the worker too', () => {
    const result = boot('src/main.worker.ts', {
      ENVIRONMENT: 'staging',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
    });
    expect(result.status).toBe(1);
    for (const name of ['PORT', 'DATABASE_URL', 'JWT_SECRET_KEY', 'REDIS_URL']) {
      expect(result.stderr).toContain(name);
    }
  });

  // One entry each is enough for the config path (shared by every entry, unit-tested in
  // load-config.spec.ts); every boot through ts-node costs ~10-30 s.
  it('a missing DATABASE_URL says "DATABASE_URL is missing"', () => {
    for (const entry of ['src/main.worker.ts']) {
      const result = boot(entry, { ENVIRONMENT: 'test' }, ['migrate']);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe('Invalid configuration:\n  - DATABASE_URL is missing\n');
    }
  }, 120_000);

  it('an unreachable database ends the boot with one line naming it (never the password), no stack', () => {
    for (const entry of ['src/main.api.ts', 'src/cli.ts']) {
      const result = boot(
        entry,
        { ENVIRONMENT: 'test', DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/alees' },
        ['migrate'],
      );
      expect(result.status).toBe(1);
      const lines = result.stderr.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^Boot failed: cannot reach the database at 127\.0\.0\.1:1\/alees \(ECONNREFUSED.*\): is PostgreSQL running/,
      );
      expect(result.stderr).not.toContain('hunter2');
      expect(result.stdout).toBe('');
    }
  }, 180_000);
});
