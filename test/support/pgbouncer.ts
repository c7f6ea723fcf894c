import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ADMIN_DATABASE_URL } from './env';

/**
 * The Debian/Ubuntu package that provides the binary (named in the warning when it is missing).
 */
export const PGBOUNCER_PACKAGE = 'pgbouncer';

/**
 * `PGBOUNCER_BIN` when set (only that path: `PGBOUNCER_BIN=/nonexistent` shows the skip), else the
 * first `pgbouncer` on the usual paths; undefined when none.
 */
export function findPgBouncer(): string | undefined {
  if (process.env.PGBOUNCER_BIN) {
    return existsSync(process.env.PGBOUNCER_BIN) ? process.env.PGBOUNCER_BIN : undefined;
  }
  const candidates = [
    '/usr/sbin/pgbouncer',
    '/usr/bin/pgbouncer',
    '/usr/local/bin/pgbouncer',
    '/usr/local/sbin/pgbouncer',
  ];
  return candidates.find((path) => existsSync(path));
}

/** A running PgBouncer in front of the test PostgreSQL. */
export interface PgBouncer {
  /** 127.0.0.1 port it listens on. */
  port: number;
  /** `url` (a direct PostgreSQL URL of the test server) with host and port swapped for PgBouncer's. */
  through(url: string): string;
  /** What PgBouncer logged so far (server connections, errors). */
  log(): string;
  stop(): Promise<void>;
}

/** Settings of the harness's PgBouncer (all optional). */
export interface PgBouncerOptions {
  /** Server connections per (database, user) pair: small, so clients really share them. */
  poolSize?: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `[major, minor]` of the binary (`pgbouncer --version`: "PgBouncer 1.18.0"). */
function versionOf(binary: string): [number, number] {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  const match = /PgBouncer (\d+)\.(\d+)/.exec(out);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

/**
 * Starts PgBouncer in **transaction pooling** in front of the test PostgreSQL
 * (`TEST_DATABASE_URL`): trust auth, a wildcard database (`* = host port` of that server, so every
 * cloned test database is reachable under its own name), a free 127.0.0.1 port, a temp dir,
 * `poolSize` server connections per database (default 4) and the session-state traps armed:
 * `server_reset_query` empty (nothing cleans a server connection between clients, so a `SET`
 * without `LOCAL`, a session advisory lock, a LISTEN or a temp table left behind would leak into
 * the next client's transactions) and no named prepared statements (`max_prepared_statements =
 * 0` where the version knows it; 1.18–1.20 never support them in transaction mode). The app's
 * `statement_timeout` startup parameter is ignored (PgBouncer refuses unknown startup parameters);
 * behind a pooler the timeout belongs to the role (`ALTER ROLE … SET statement_timeout`).
 * Throws when the binary is missing (callers check `findPgBouncer()` first). Runs as `nobody`
 * when the tests run as root (PgBouncer refuses root).
 */
export async function startPgBouncer(options: PgBouncerOptions = {}): Promise<PgBouncer> {
  const binary = findPgBouncer();
  if (!binary) throw new Error(`pgbouncer not found (Debian package "${PGBOUNCER_PACKAGE}")`);
  const upstream = new URL(TEST_ADMIN_DATABASE_URL);
  const user = decodeURIComponent(upstream.username || 'postgres');
  const dir = mkdtempSync(join(tmpdir(), 'alees-pgbouncer-'));
  chmodSync(dir, 0o777); // written by `nobody` when the tests run as root
  const port = await freePort();
  const server = [
    `host=${upstream.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1'}`,
    `port=${upstream.port || '5432'}`,
    upstream.password ? `password=${decodeURIComponent(upstream.password)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const [major, minor] = versionOf(binary);
  const ini = [
    '[databases]',
    `* = ${server}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'users.txt')}`,
    'pool_mode = transaction',
    'server_reset_query =',
    'server_reset_query_always = 0',
    `default_pool_size = ${options.poolSize ?? 4}`,
    'min_pool_size = 0',
    'reserve_pool_size = 0',
    'max_client_conn = 1000',
    'ignore_startup_parameters = extra_float_digits,statement_timeout',
    // Test databases are dropped WITH (FORCE) while PgBouncer still holds server connections.
    'server_login_retry = 1',
    ...(major > 1 || minor >= 21 ? ['max_prepared_statements = 0'] : []),
    `logfile = ${join(dir, 'pgbouncer.log')}`,
    `pidfile = ${join(dir, 'pgbouncer.pid')}`,
  ].join('\n');
  writeFileSync(join(dir, 'pgbouncer.ini'), `${ini}\n`, { mode: 0o644 });
  writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const child = spawn(
    binary,
    [...(asRoot ? ['-u', 'nobody'] : []), '-q', join(dir, 'pgbouncer.ini')],
    { stdio: 'ignore' },
  );
  const log = () => {
    try {
      return readFileSync(join(dir, 'pgbouncer.log'), 'utf8');
    } catch {
      return '';
    }
  };
  try {
    await waitForPort(port, child, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    const detail = log();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${detail}`);
  }
  return {
    port,
    through(url: string) {
      const target = new URL(url);
      target.hostname = '127.0.0.1';
      target.port = String(port);
      return target.toString();
    },
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT'); // safe shutdown: waits for the clients' transactions to end
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Name of the env variable that sends a test file's apps through PgBouncer (see `viaPgBouncer`). */
export const PGBOUNCER_URL_ENV = 'ALEES_TEST_PGBOUNCER_PORT';

/**
 * Re-runs an existing e2e file through PgBouncer: call it at the top of a wrapper spec, then
 * `require` the original spec. A top-level `beforeAll` starts PgBouncer (before the original's own
 * hooks) and sets `ALEES_TEST_PGBOUNCER_PORT`, which `createTestEnvironment` honours: the apps'
 * `DATABASE_URL` goes through PgBouncer and `DATABASE_DIRECT_URL` straight to PostgreSQL. When the
 * binary is missing, it warns loudly (naming the package) and returns false: the caller then
 * registers one skipped test saying why, instead of the original's tests.
 */
export function viaPgBouncer(options: PgBouncerOptions = {}): boolean {
  if (!findPgBouncer()) {
    console.warn(
      `PgBouncer tests SKIPPED: no pgbouncer binary (install the "${PGBOUNCER_PACKAGE}" package, ` +
        `e.g. apt-get install -y ${PGBOUNCER_PACKAGE}, or set PGBOUNCER_BIN)`,
    );
    return false;
  }
  let bouncer: PgBouncer | undefined;
  beforeAll(async () => {
    bouncer = await startPgBouncer(options);
    process.env[PGBOUNCER_URL_ENV] = String(bouncer.port);
  });
  afterAll(async () => {
    delete process.env[PGBOUNCER_URL_ENV];
    await bouncer?.stop();
  });
  return true;
}

type TestFn = jest.It;

/**
 * Registers, through PgBouncer, the tests of an existing spec whose names match `select`:
 * `load` requires the original file (`() => jest.requireActual('../platform/x.e2e-spec')`), whose
 * `beforeAll`/`afterAll` run as they are; tests not selected are left out (not registered). When
 * the binary is missing, one skipped test says why (and `viaPgBouncer` warned).
 */
export function throughPgBouncer(
  load: () => unknown,
  select: RegExp,
  options: PgBouncerOptions = {},
): void {
  if (!viaPgBouncer(options)) {
    it.skip(`through PgBouncer: skipped, the "${PGBOUNCER_PACKAGE}" package is not installed`, () => {});
    return;
  }
  const globals = globalThis as unknown as { it: TestFn; test: TestFn };
  const original = { it: globals.it, test: globals.test };
  const filtered = (fn: TestFn): TestFn =>
    Object.assign((name: string, body?: jest.ProvidesCallback, timeout?: number) => {
      if (select.test(name)) fn(name, body, timeout);
    }, fn);
  globals.it = filtered(original.it);
  globals.test = filtered(original.test);
  try {
    load();
  } finally {
    globals.it = original.it;
    globals.test = original.test;
  }
}
