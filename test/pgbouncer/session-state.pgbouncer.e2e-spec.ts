import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { withTenant } from '../../src/core/tenancy';
import { createOrganization } from '../factories/identity.factory';
import {
  findPgBouncer,
  PgBouncer,
  PGBOUNCER_PACKAGE,
  PGBOUNCER_URL_ENV,
  startPgBouncer,
} from '../support/pgbouncer';
import { createTestDatabase, dropDatabase } from '../support/template-db';
import { createTestApp, TestApp } from '../support/test-app';

const SRC = join(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * Statements that leave state on the server connection past the transaction. Through PgBouncer in
 * transaction pooling the next client's transaction inherits it (or the owner loses it).
 * Migrations run on a direct connection (`npm run typeorm`, `cli migrate`) and are not scanned.
 */
const SESSION_STATE: { pattern: RegExp; what: string; allowedIn?: string[] }[] = [
  { pattern: /pg_(try_)?advisory_lock(_shared)?\s*\(/, what: 'session advisory lock' },
  {
    // A statement (in a string), not prose: comments may say LISTEN.
    pattern: /['"`]\s*LISTEN\s+[\w$]/,
    what: 'LISTEN',
    // None: the relay and the audit sealer wake on Redis (core/redis/wake-ups.ts).
  },
  { pattern: /set_config\([^)]*,\s*false\s*\)/, what: 'set_config(..., false)' },
  {
    pattern: /['"`]\s*SET\s+(?!LOCAL\b|CONSTRAINTS\b)(ROLE\b|SESSION\b|[a-z_.]+\s*(=|TO\b))/,
    what: 'SET without LOCAL',
  },
  { pattern: /\bSET\s+SESSION\b/i, what: 'SET SESSION' },
  { pattern: /['"`]\s*PREPARE\s+\w/i, what: 'named prepared statement' },
  { pattern: /\bWITH\s+HOLD\b/i, what: 'WITH HOLD cursor' },
  { pattern: /\bname:\s*['"`][^'"`]+['"`],\s*text:/, what: 'named pg query (prepared)' },
];

const bouncerInstalled = !!findPgBouncer();
if (!bouncerInstalled) {
  console.warn(
    `PgBouncer session-state test SKIPPED: no pgbouncer binary (install the "${PGBOUNCER_PACKAGE}" package)`,
  );
}

describe('no session state: PgBouncer in transaction pooling', () => {
  it('the source keeps no session state (advisory locks, LISTEN, SET without LOCAL, prepared statements, temp tables that outlive the transaction)', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const path = relative(SRC, file);
      if (path.startsWith('database/migrations/')) continue;
      const text = readFileSync(file, 'utf8');
      for (const rule of SESSION_STATE) {
        if (rule.allowedIn?.includes(path)) continue;
        if (rule.pattern.test(text)) problems.push(`${path}: ${rule.what}`);
      }
      for (const temp of text.match(/CREATE\s+TEMP(ORARY)?\s+TABLE[^;`]*/gi) ?? []) {
        if (!/ON\s+COMMIT\s+DROP/i.test(temp))
          problems.push(`${path}: temp table without ON COMMIT DROP`);
      }
    }
    expect(problems).toEqual([]);
  });

  (bouncerInstalled ? describe : describe.skip)('through a real PgBouncer', () => {
    let bouncer: PgBouncer;
    let database: { name: string; url: string };

    beforeAll(async () => {
      bouncer = await startPgBouncer({ poolSize: 1 });
      database = await createTestDatabase();
    });
    afterAll(async () => {
      await dropDatabase(database.name);
      await bouncer.stop();
    });

    /** A client through PgBouncer to the test database (one server connection is shared). */
    async function client(): Promise<Client> {
      const c = new Client({ connectionString: bouncer.through(database.url) });
      await c.connect();
      return c;
    }

    it('the harness is a real trap: session state of one client leaks into the next (so the suites through it would fail on any)', async () => {
      const [a, b] = [await client(), await client()];
      try {
        await a.query(`SET work_mem = '7MB'`);
        expect((await b.query<{ work_mem: string }>('SHOW work_mem')).rows[0].work_mem).toBe('7MB');
        await a.query('BEGIN');
        await a.query(`SET LOCAL work_mem = '9MB'`);
        await a.query('COMMIT');
        expect((await b.query<{ work_mem: string }>('SHOW work_mem')).rows[0].work_mem).toBe('7MB');
      } finally {
        await a.query('RESET work_mem');
        await Promise.all([a.end(), b.end()]);
      }
    });

    it('the tenant settings of two organizations sharing one server connection never mix', async () => {
      let app: TestApp | undefined;
      const direct = new Client({ connectionString: database.url });
      await direct.connect();
      try {
        process.env[PGBOUNCER_URL_ENV] = String(bouncer.port);
        try {
          app = await createTestApp();
        } finally {
          delete process.env[PGBOUNCER_URL_ENV];
        }
        const [a, b] = [
          await createOrganization(app.dataSource),
          await createOrganization(app.dataSource),
        ];
        const seen = await Promise.all(
          Array.from({ length: 40 }, (_, i) => {
            const org = i % 2 ? a.id : b.id;
            return withTenant(app!.dataSource, org, async (manager) => {
              const rows = await manager.query<{ id: string }[]>(
                `SELECT current_setting('app.current_org', true) AS id`,
              );
              return { org, seen: rows[0].id };
            });
          }),
        );
        for (const { org, seen: id } of seen) expect(id).toBe(org);
        // Outside a transaction nothing is left on the shared connection.
        const after = await app.dataSource.query<{ org: string | null; role: string }[]>(
          `SELECT nullif(current_setting('app.current_org', true), '') AS org, current_user AS role`,
        );
        expect(after[0]).toEqual({ org: null, role: expect.not.stringMatching(/alees_tenant/) });
        const locks = await direct.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND d.datname = $1`,
          [app.environment.database.name],
        );
        expect(locks.rows[0].n).toBe(0);
      } finally {
        await app?.close();
        await direct.end();
      }
    });
  });
});
