#!/usr/bin/env node
// `npm run bench`: builds, seeds a benchmark database, starts the real API and worker from dist/
// plus two bare Fastify + pg baselines, and measures them in the same run (SPEC §8).
// Prints a table and writes bench/results/<timestamp>.json (and latest.json). See bench/README.md.
import autocannon from 'autocannon';
import * as argon2 from 'argon2';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { collaborationBenchmark, collaborationStatements, seedCollaboration } from './collaboration.mjs';
import { startBenchPgBouncer } from './pgbouncer.mjs';
import { seedShaping, shapingBenchmark } from './shaping.mjs';
import { pipeline } from 'node:stream/promises';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const ADMIN_URL = env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DATABASE_NAME ?? 'alees_bench';
const REDIS_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
// `--quick` (a check that runs in < 3 minutes): shorter scenarios and smaller data, same JSON and ratios.
const QUICK = process.argv.includes('--quick');
const DURATION = Number(env.BENCH_DURATION_SECONDS ?? (QUICK ? 4 : 10));
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 50);
const PRODUCTS = Number(env.BENCH_PRODUCTS ?? 100_000);
const IMPORT_ROWS = Number(env.BENCH_IMPORT_ROWS ?? (QUICK ? 20_000 : 100_000));
const SEARCH_PRODUCTS = Number(env.BENCH_SEARCH_PRODUCTS ?? (QUICK ? 0 : 1_000_000));
const OTHER_PRODUCTS = QUICK ? 2_000 : 10_000;
const WARM_UP_SECONDS = QUICK ? 1 : 2;
// `BENCH_ONLY=collaboration`: baseline (a) and the collaboration scenarios only (issue 17's targets).
const ONLY_COLLABORATION = env.BENCH_ONLY === 'collaboration';
// `BENCH_ONLY=stock-moves`: baseline (a) and the two stock-move scenarios only (issue 21's write target).
const ONLY_STOCK = env.BENCH_ONLY === 'stock-moves';
// `BENCH_ONLY=shaping`: baseline (a) and the filtered lists only (issue 18's target).
const ONLY_SHAPING = env.BENCH_ONLY === 'shaping';
// `BENCH_ONLY=import`: the product import alone (issue 21: BENCH_IMPORT_ROWS=1000000 → < 90 s, worker RSS < 300 MB).
const ONLY_IMPORT = env.BENCH_ONLY === 'import';
// `BENCH_ONLY=process`: issue 19's targets alone (automation events/s, webhook deliveries/s).
const ONLY_PROCESS = env.BENCH_ONLY === 'process';
const SKIP_SEEDS = ONLY_STOCK || ONLY_SHAPING || ONLY_IMPORT;
// Products (one per connection) of the parallel stock-move scenario.
const STOCK_PRODUCTS = Number(env.BENCH_STOCK_PRODUCTS ?? 50);
const FAN_OUT_RUNS = Number(env.BENCH_FAN_OUT_RUNS ?? (QUICK ? 3 : 5));
// `BENCH_PORT_BASE` (default 3190) and `BENCH_REDIS_KEY_PREFIX` (default `bench:`), with
// `BENCH_DATABASE_NAME`, let two benches run side by side on one machine without sharing anything.
const PORT_BASE = Number(env.BENCH_PORT_BASE ?? 3190);
const PORTS = { api: PORT_BASE, worker: PORT_BASE + 1, baseA: PORT_BASE + 2, baseB: PORT_BASE + 3, probe: PORT_BASE + 4, pooledApi: PORT_BASE + 5, pgbouncer: PORT_BASE + 6 };
const REDIS_KEY_PREFIX = env.BENCH_REDIS_KEY_PREFIX ?? 'bench:';
// The worker's Node flags, as `npm run start:worker` passes them (why: README, Operations);
// `BENCH_WORKER_NODE_ARGS` (space-separated) overrides them to compare settings.
const WORKER_NODE_ARGS = env.BENCH_WORKER_NODE_ARGS ? env.BENCH_WORKER_NODE_ARGS.split(' ').filter(Boolean) : ['--max-old-space-size=256', '--max-semi-space-size=16'];
// Where bench/memory-sampler.cjs (preloaded into the worker) keeps its memory peaks.
const MEMORY_FILE = join(tmpdir(), `alees-bench-memory-${DB_NAME}.json`);
const workerMemoryPeaks = () => (existsSync(MEMORY_FILE) ? JSON.parse(readFileSync(MEMORY_FILE, 'utf8')) : undefined);
const PASSWORD = 'bench-password-123';

const dbUrl = (name) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
};
const DATABASE_URL = dbUrl(DB_NAME);
const say = (line) => process.stdout.write(`[bench] ${line}\n`);
const children = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function appEnv(extra = {}) {
  return {
    ...env,
    ENVIRONMENT: 'production',
    DATABASE_URL,
    DATABASE_POOL_SIZE: '20',
    REDIS_URL,
    REDIS_KEY_PREFIX,
    JWT_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    API_RATE_LIMIT_USER: '1000000000/hour',
    API_RATE_LIMIT_ANONYMOUS: '1000000000/hour',
    FILE_STORAGE_BACKEND: 'local',
    LOCAL_MEDIA_ROOT: join(tmpdir(), `alees-bench-files-${DB_NAME}`),
    EMAIL_BACKEND: 'console',
    // The import file (~85 bytes a row) must fit the upload limit (default 25 MiB).
    FILE_MAX_UPLOAD_BYTES: String(Math.max(26_214_400, IMPORT_ROWS * 128)),
    ...extra,
  };
}

async function waitHttp(url, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await sleep(200);
  }
}

function start(name, script, extraEnv, args = [], nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd: root,
    env: extraEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.name = name;
  children.push(child);
  return child;
}

async function prepareDatabase(sharedEnv) {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  for (const command of ['migrate', 'seed'])
    execFileSync(process.execPath, ['dist/cli.js', command], { cwd: root, env: sharedEnv, stdio: 'ignore' });

  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  const tenant = async (code, users = 1) => {
    const orgId = randomUUID();
    await db.query(
      `INSERT INTO organizations (id, code, name, type_code, path, depth) VALUES ($1, $2, $2, 'company', $3, 0)`,
      [orgId, code, `/${orgId}/`],
    );
    const emails = [];
    for (let i = 0; i < users; i += 1) {
      const email = `${code.toLowerCase()}-${i}@bench.test`;
      const { rows: [user] } = await db.query(
        `INSERT INTO users (email, password_hash, full_name) VALUES ($1, $2, 'Bench') RETURNING id`,
        [email, hash],
      );
      const { rows: [membership] } = await db.query(
        `INSERT INTO memberships (organization_id, user_id, is_default) VALUES ($1, $2, true) RETURNING id`,
        [orgId, user.id],
      );
      await db.query(
        `INSERT INTO membership_roles (membership_id, role_id)
         SELECT $1, id FROM roles WHERE is_system AND name = 'Owner'`,
        [membership.id],
      );
      emails.push(email);
    }
    return { orgId, emails };
  };
  // Every product carries the tag "bench" (tags registry, modules/tags), as the list reads it.
  const seedProducts = async (orgId, count, prefix) => {
    await db.query(
      `INSERT INTO products (organization_id, sku, name, type, status, price, currency_code, uom_code)
       SELECT $1, $3 || g, 'Product ' || md5(g::text), 'goods', 'active', (g % 1000) + 0.99, 'EUR', 'pc'
         FROM generate_series(1, $2::int) g`,
      [orgId, count, prefix],
    );
    await db.query(
      `WITH tag AS (
         INSERT INTO tags (organization_id, name, name_key) VALUES ($1, 'bench', 'bench')
         ON CONFLICT DO NOTHING RETURNING id)
       INSERT INTO taggings (organization_id, tag_id, target_type, target_id)
       SELECT $1, tag.id, 'product', p.id FROM tag, products p
        WHERE p.organization_id = $1 AND p.sku::text LIKE $2 || '%'`,
      [orgId, prefix],
    );
  };
  const main = await tenant('BENCH', 40);
  await seedProducts(main.orgId, PRODUCTS, 'SKU-');
  const shaping = await seedShaping(db, main.orgId);
  for (let i = 0; i < 10; i += 1) {
    const other = await tenant(`OTHER${i}`);
    await seedProducts(other.orgId, OTHER_PRODUCTS, `O${i}-`);
  }
  const collab = SKIP_SEEDS ? undefined : await seedCollaboration(db, await tenant('COLLAB', 3), hash);
  const importer = await tenant('IMPORT');
  const searcher = await tenant('SEARCH');
  if (!SKIP_SEEDS) await seedSearchCatalog(db, searcher.orgId);
  const { rows: [warehouse] } = await db.query(
    `INSERT INTO warehouses (organization_id, code, name) VALUES ($1, 'W1', 'Main') RETURNING id`,
    [main.orgId],
  );
  const locationId = randomUUID();
  await db.query(
    `INSERT INTO stock_locations (id, organization_id, warehouse_id, code, name, path, depth)
     VALUES ($1, $2, $3, 'A1', 'A1', $4, 0)`,
    [locationId, main.orgId, warehouse.id, `/${locationId}/`],
  );
  // VACUUM as well as ANALYZE: the shaping seed rewrites every product row (custom fields), and a
  // table half dead tuples without a visibility map made every scenario after it read like a cold
  // one (baseline (a) at page 200: 18 req/s instead of ~1,000) — a steady-state table for all.
  await db.query('VACUUM (ANALYZE)');
  const { rows: [product] } = await db.query(
    `SELECT id FROM products WHERE organization_id = $1 ORDER BY name, id LIMIT 1`,
    [main.orgId],
  );
  // The parallel-moves scenario: STOCK_PRODUCTS other goods of the same organization, one per connection.
  const { rows: stockProducts } = await db.query(
    `SELECT id FROM products WHERE organization_id = $1 AND id <> $2 ORDER BY sku LIMIT $3`,
    [main.orgId, product.id, STOCK_PRODUCTS],
  );
  await db.end();
  return {
    main,
    collab,
    importer,
    searcher,
    productId: product.id,
    shaping,
    stockProductIds: stockProducts.map((row) => row.id),
    locationId,
  };
}

async function login(email) {
  const res = await fetch(`http://127.0.0.1:${PORTS.api}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return (await res.json()).accessToken;
}

async function load(title, options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const ok = result['2xx'];
  const row = {
    scenario: title,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    ok,
  };
  say(`${title}: ${row.reqPerSec} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms${row.non2xx ? `, ${row.non2xx} not 2xx` : ''}`);
  return row;
}

async function measureLogins(emails) {
  const started = Date.now();
  const latencies = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < emails.length) {
        const email = emails[next++];
        const t0 = performance.now();
        await login(email);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pick = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]);
  const row = {
    scenario: 'POST /auth/login (argon2id, 8 concurrent)',
    reqPerSec: Math.round((emails.length * 1000) / (Date.now() - started)),
    p50: pick(0.5),
    p99: pick(0.99),
    non2xx: 0,
  };
  say(`${row.scenario}: ${row.reqPerSec} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms`);
  return row;
}

/**
 * CPU ticks (utime + stime, 1 tick = 10 ms) of the processes an import uses: this run's worker and
 * API by pid, and PostgreSQL backends connected to this run's database (found by their command
 * line, `postgres: <cluster>: <user> <db> …`). Read from /proc: on a shared machine, CPU per row is robust
 * where wall time is not. A backend that exits between two snapshots loses its ticks (the pools
 * keep theirs open during an import).
 */
function cpuSnapshot(pids) {
  const out = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const named = Object.entries(pids).find(([, p]) => p === Number(pid))?.[0];
      const cmd = named ? '' : readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const group = named ?? (cmd.startsWith('postgres:') && cmd.split(' ').includes(DB_NAME) ? 'postgres' : null);
      if (group) out[pid] = { group, ticks: Number(f[11]) + Number(f[12]) };
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** µs of CPU per row by process group between two `cpuSnapshot`s. */
function cpuPerRow(s0, s1, rows) {
  const ticks = {};
  for (const [pid, v] of Object.entries(s1)) ticks[v.group] = (ticks[v.group] ?? 0) + v.ticks - (s0[pid]?.ticks ?? 0);
  return Object.fromEntries(Object.entries(ticks).map(([g, t]) => [g, Math.round((t * 10_000) / rows)]));
}

/** `email`: who signs in again when the access token expires during a long import. */
async function importBenchmark(token, orgId, workerPid, email, apiPid) {
  const file = join(tmpdir(), `alees-bench-import-${process.pid}.csv`);
  const out = createWriteStream(file);
  out.write('sku,name,description,type,status,price,currencyCode,uomCode,categoryId,tags\n');
  for (let i = 0; i < IMPORT_ROWS; i += 1)
    out.write(`IMP-${i},Imported product ${i},Bulk,goods,active,${(i % 500) + 0.5},EUR,pc,,bulk|bench\n`);
  await new Promise((resolve) => out.end(resolve));
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)], { type: 'text/csv' }), 'products.csv');
  // BENCH_CPU_PROFILE=<file>: the worker's V8 CPU profile of the import (bench/memory-sampler.cjs).
  if (env.BENCH_CPU_PROFILE) {
    writeFileSync(`${env.BENCH_CPU_PROFILE}.on`, '');
    await sleep(300);
  }
  const cpu0 = cpuSnapshot({ worker: workerPid, api: apiPid });
  const t0 = Date.now();
  const res = await fetch(
    `http://127.0.0.1:${PORTS.api}/api/v1/imports?resource=products&mode=commit&onConflict=skip`,
    { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-organization-id': orgId }, body: form },
  );
  if (res.status !== 202) throw new Error(`import: ${res.status} ${await res.text()}`);
  const { taskId } = await res.json();
  let task;
  for (;;) {
    await sleep(250);
    const polled = await fetch(`http://127.0.0.1:${PORTS.api}/api/v1/tasks/${taskId}`, {
      headers: { authorization: `Bearer ${token}`, 'x-organization-id': orgId },
    });
    // An import longer than the access token's life (15 min by default) would poll 401s forever.
    if (polled.status === 401 && email) {
      token = await login(email);
      continue;
    }
    if (!polled.ok) throw new Error(`import task: ${polled.status} ${await polled.text()}`);
    task = await polled.json();
    if (task.state === 'completed' || task.state === 'failed') break;
  }
  const seconds = (Date.now() - t0) / 1000;
  const cpuUsPerRow = cpuPerRow(cpu0, cpuSnapshot({ worker: workerPid, api: apiPid }), IMPORT_ROWS);
  if (env.BENCH_CPU_PROFILE) {
    rmSync(`${env.BENCH_CPU_PROFILE}.on`);
    await sleep(3000); // the worker writes the profile
  }
  const status = readFileSync(`/proc/${workerPid}/status`, 'utf8');
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const row = {
    rows: IMPORT_ROWS,
    fileBytes: statSync(file).size,
    state: task.state,
    inserted: task.result?.inserted,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSec: Math.round(IMPORT_ROWS / seconds),
    workerPeakRssMb: Math.round(peakKb / 1024),
    cpuUsPerRow,
    workerMemory: workerMemoryPeaks(),
  };
  say(`import ${IMPORT_ROWS} rows: ${row.state}, ${row.seconds} s (${row.rowsPerSec} rows/s), worker peak RSS ${row.workerPeakRssMb} MB`);
  say(`CPU per row (µs, from /proc): ${JSON.stringify(cpuUsPerRow)}; worker memory peaks (MB): ${JSON.stringify(row.workerMemory)}`);
  return row;
}

/**
 * Statements per list request, from a second API logging every query (sequential requests);
 * `more(count, probeUrl)` counts other requests on the same probe (the collaboration ones).
 */
async function queryCounts(token, orgId, sharedEnv, more) {
  const probe = spawn(process.execPath, ['dist/main.api.js'], {
    cwd: root,
    env: { ...sharedEnv, PORT: String(PORTS.probe), DATABASE_LOGGING: 'true', LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(probe);
  let lines = [];
  probe.stdout.on('data', (chunk) => lines.push(...chunk.toString().split('\n').filter((l) => l.includes('"query"'))));
  await waitHttp(`http://127.0.0.1:${PORTS.probe}/healthz/live`);
  const countAt = async (url, headers, init = {}) => {
    const first = await fetch(url, { headers, ...init }); // warm (permissions, count cache)
    if (!first.ok) throw new Error(`statements probe ${url}: ${first.status} ${await first.text()}`);
    await sleep(300);
    lines = [];
    await fetch(url, { headers, ...init });
    await sleep(300);
    return lines.length;
  };
  const count = (size) =>
    countAt(`http://127.0.0.1:${PORTS.probe}/api/v1/products?page=1&size=${size}&sort=name`, {
      authorization: `Bearer ${token}`,
      'x-organization-id': orgId,
    });
  const result = ONLY_COLLABORATION ? {} : { size1: await count(1), size20: await count(20), size100: await count(100) };
  const extra = more ? await more(countAt, `http://127.0.0.1:${PORTS.probe}`) : undefined;
  probe.kill('SIGTERM');
  if (!ONLY_COLLABORATION)
    say(`statements per list request: size 1 → ${result.size1}, size 20 → ${result.size20}, size 100 → ${result.size100}`);
  return { result, extra };
}

// Catalog words: names like "Acme Wireless Black Keyboard K-417", so two-word queries match a
// realistic slice (≈1/1,000 of the rows) and one-word queries a large one (≈1/30).
const BRANDS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Cyberdyne', 'Wonka', 'Gringotts', 'Oscorp', 'Aperture', 'Monarch', 'Nakatomi', 'Duff', 'Krusty', 'Zorg'];
const ADJECTIVES = ['Wireless', 'Ergonomic', 'Compact', 'Heavy-duty', 'Portable', 'Organic', 'Stainless', 'Waterproof', 'Rechargeable', 'Premium', 'Classic', 'Smart', 'Industrial', 'Foldable', 'Adjustable', 'Digital', 'Magnetic', 'Insulated', 'Reinforced', 'Recycled', 'Silent', 'Thermal', 'Cordless', 'Modular', 'Outdoor', 'Vintage', 'Solar', 'Anti-slip', 'Lightweight', 'Professional'];
const COLOURS = ['Black', 'White', 'Red', 'Blue', 'Green', 'Grey', 'Silver', 'Gold', 'Orange', 'Purple'];
const NOUNS = ['Keyboard', 'Mouse', 'Monitor', 'Drill', 'Hammer', 'Kettle', 'Backpack', 'Chair', 'Desk', 'Lamp', 'Speaker', 'Headset', 'Charger', 'Cable', 'Router', 'Printer', 'Scanner', 'Camera', 'Tripod', 'Bottle', 'Jacket', 'Boots', 'Gloves', 'Helmet', 'Toolbox', 'Wrench', 'Saw', 'Ladder', 'Tent', 'Blender', 'Toaster', 'Heater', 'Fan', 'Shelf', 'Cabinet', 'Tablet', 'Notebook', 'Pen', 'Stapler', 'Projector'];

/** 1M products in one organization, streamed with COPY (triggers off: seeding, not app writes). */
async function seedSearchCatalog(db, orgId) {
  if (SEARCH_PRODUCTS <= 0) return;
  await db.query(`SET session_replication_role = replica`);
  const total = SEARCH_PRODUCTS;
  let i = 0;
  const rows = new Readable({
    read() {
      let chunk = '';
      for (let n = 0; n < 5_000 && i < total; n += 1, i += 1) {
        const name = `${BRANDS[i % 20]} ${ADJECTIVES[Math.floor(i / 20) % 30]} ${COLOURS[Math.floor(i / 600) % 10]} ${NOUNS[Math.floor(i / 6_000) % 40]} K-${i % 997}`;
        chunk += `${orgId}\tS-${i}\t${name}\tgoods\tactive\tpc\n`;
      }
      this.push(chunk || null);
    },
  });
  const t0 = Date.now();
  await pipeline(rows, db.query(copyFrom(`COPY products (organization_id, sku, name, type, status, uom_code) FROM STDIN`)));
  await db.query(`SET session_replication_role = origin`);
  say(`search catalog: ${total} products copied and indexed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** p50/p95 of GET /search over the 1M-product organization: one client (latency), then 10 (load). */
async function searchBenchmark(token, orgId) {
  const queries = ['wireless keyb', 'ergonomic black chair', 'acme drill', 'stainless kettle k-41', 'portable "solar lamp"', 'keyboard -wireless', 'waterproof'];
  const headers = { authorization: `Bearer ${token}`, 'x-organization-id': orgId };
  const url = (q) => `http://127.0.0.1:${PORTS.api}/api/v1/search?types=products&limit=20&q=${encodeURIComponent(q)}`;
  for (const q of queries) {
    const res = await fetch(url(q), { headers });
    if (!res.ok) throw new Error(`search ${q}: ${res.status} ${await res.text()}`);
  }
  const measure = async (list, seconds, clients) => {
    const latencies = [];
    let failed = 0;
    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let n = client; Date.now() < until; n += 1) {
          const t0 = performance.now();
          const res = await fetch(url(list[n % list.length]), { headers });
          await res.arrayBuffer();
          if (!res.ok) failed += 1;
          latencies.push(performance.now() - t0);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const pick = (p) => Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1));
    return { requests: latencies.length, reqPerSec: Math.round(latencies.length / seconds), p50: pick(0.5), p95: pick(0.95), p99: pick(0.99), failed };
  };
  const prefix = await measure(queries, DURATION, 1);
  const loaded = await measure(queries, DURATION, 10);
  const typo = await measure(['wireles keybord', 'ergonmic chiar'], Math.max(3, Math.round(DURATION / 2)), 1);
  const row = { products: SEARCH_PRODUCTS, queries, prefix, prefix10Clients: loaded, typoFallback: typo };
  say(`search over ${SEARCH_PRODUCTS} products, 1 client: p50 ${prefix.p50} ms, p95 ${prefix.p95} ms; 10 clients: p50 ${loaded.p50} ms, p95 ${loaded.p95} ms (${loaded.reqPerSec} req/s); typo fallback p50 ${typo.p50} ms, p95 ${typo.p95} ms`);
  return row;
}

/**
 * Issue 21's write target: `POST /stock-moves` (receipts of 1) with CONNECTIONS connections on
 * STOCK_PRODUCTS products of one organization, connection i always moving product i % n, so no
 * two requests in flight share a level row: whatever still makes them wait is per organization.
 * Afterwards the ledger must equal the levels exactly (sum of the moves = the level, per product),
 * and the time until every audit row of the run is sealed into the chain is measured.
 */
async function stockMovesBenchmark(api, headers, seeded) {
  const products = seeded.stockProductIds;
  let nextClient = 0;
  const options = {
    url: api('/stock-moves'),
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: '{}',
    setupClient: (client) => {
      const productId = products[nextClient++ % products.length];
      client.setBody(JSON.stringify({ productId, toLocationId: seeded.locationId, quantity: '1' }));
    },
  };
  await autocannon({ ...options, connections: CONNECTIONS, duration: WARM_UP_SECONDS });
  nextClient = 0;
  const row = await load(`Alees POST /stock-moves (${CONNECTIONS} connections, ${products.length} products, one organization)`, options);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const t0 = Date.now();
    let unsealed;
    for (;;) {
      ({ rows: [{ unsealed }] } = await db.query(`SELECT count(*)::int AS unsealed FROM audit_logs WHERE seq IS NULL`));
      if (unsealed === 0 || Date.now() - t0 > 30_000) break;
      await sleep(20);
    }
    const sealedAfterMs = Date.now() - t0;
    const { rows: [exact] } = await db.query(
      `SELECT count(*)::int AS products,
              count(*) FILTER (WHERE coalesce(l.quantity, 0) = coalesce(m.total, 0))::int AS exact,
              coalesce(sum(m.moves), 0)::int AS moves
         FROM unnest($1::uuid[]) AS p(id)
         LEFT JOIN stock_levels l ON l.product_id = p.id AND l.location_id = $2
         LEFT JOIN (SELECT product_id, sum(quantity) AS total, count(*) AS moves FROM stock_moves
                     WHERE to_location_id = $2 GROUP BY product_id) m ON m.product_id = p.id`,
      [products, seeded.locationId],
    );
    const section = {
      connections: CONNECTIONS,
      products: products.length,
      reqPerSec: row.reqPerSec,
      p50: row.p50,
      p99: row.p99,
      accepted: row.ok,
      movesInLedger: exact.moves,
      levelsExact: `${exact.exact}/${exact.products}`,
      unsealedAfterRun: unsealed,
      allSealedAfterMs: sealedAfterMs,
    };
    section.targets = {
      'stock moves: ledger = levels (every product)': exact.exact === exact.products,
      'stock moves p99 < 100 ms': row.p99 < 100,
    };
    say(`stock moves: ${exact.moves} in the ledger, levels exact ${section.levelsExact}, audit rows all sealed ${sealedAfterMs} ms after the run`);
    return { row, section };
  } finally {
    await db.end();
  }
}

function writeResults(extra, latest) {
  const results = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    settings: { quick: QUICK, only: env.BENCH_ONLY, workerNodeArgs: WORKER_NODE_ARGS, durationSeconds: DURATION, connections: CONNECTIONS, products: PRODUCTS, importRows: IMPORT_ROWS },
    loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
    ...extra,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const stamp = results.at.replace(/[:.]/g, '-');
  writeFileSync(join(root, `bench/results/${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  if (latest) writeFileSync(join(root, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write('\n');
  if (results.http) console.table(results.http.map(({ scenario, reqPerSec, p50, p99, non2xx }) => ({ scenario, 'req/s': reqPerSec, 'p50 ms': p50, 'p99 ms': p99, 'not 2xx': non2xx })));
  if (results.stockMoves) console.table({ stockMoves: { ...results.stockMoves, targets: undefined } });
  if (results.shaping) console.table(results.shaping.map(({ shape, total, exactTotal, coldMs, p50, p95, p99 }) => ({ shape, total, exactTotal, coldMs, p50, p95, p99 })));
  console.table(Object.entries(results.targets ?? {}).map(([target, met]) => ({ target, met })));
  say(`results: bench/results/${stamp}.json`);
}

/**
 * Issue 21: the authenticated product list through PgBouncer (transaction pooling) beside the
 * direct one. A second API whose DATABASE_URL goes through a PgBouncer with as many server
 * connections as one API's pool (DATABASE_DIRECT_URL direct, for LISTEN only); the direct API is
 * measured again right before, so both figures come from the same minute of a busy machine.
 */
async function pgBouncerBenchmark(sharedEnv, headers) {
  const bouncer = await startBenchPgBouncer(ADMIN_URL, PORTS.pgbouncer, 20);
  if (!bouncer) {
    say('PgBouncer list: not measured (no pgbouncer binary: apt-get install pgbouncer)');
    return undefined;
  }
  const api = start('api-pgbouncer', 'dist/main.api.js', {
    ...sharedEnv,
    PORT: String(PORTS.pooledApi),
    DATABASE_URL: bouncer.url(DATABASE_URL),
    DATABASE_DIRECT_URL: DATABASE_URL,
  });
  try {
    await waitHttp(`http://127.0.0.1:${PORTS.pooledApi}/healthz/ready`);
    const path = '/api/v1/products?page=1&size=20&sort=name';
    await autocannon({ url: `http://127.0.0.1:${PORTS.pooledApi}${path}`, connections: 10, duration: WARM_UP_SECONDS, headers });
    const direct = await load('Alees GET /products page 1 (direct, again)', { url: `http://127.0.0.1:${PORTS.api}${path}`, headers });
    const through = await load('Alees GET /products page 1 through PgBouncer', { url: `http://127.0.0.1:${PORTS.pooledApi}${path}`, headers });
    const ratio = Number((through.reqPerSec / direct.reqPerSec).toFixed(2));
    say(`list through PgBouncer: ${ratio}× the direct one (${through.reqPerSec} vs ${direct.reqPerSec} req/s)`);
    return { direct, through, ratio, poolSize: 20, poolMode: 'transaction' };
  } finally {
    api.kill('SIGTERM');
    bouncer.stop();
  }
}

/**
 * Issue 19: the process layer's throughput, from its own in-process harnesses (they clone the
 * test template database like the e2e tests, so they need no dist/ and no seeded bench database):
 * `bench/automation.ts` (events/s matched and recorded as runs; runs/s executed) and
 * `bench/webhooks.ts` (deliveries/s and commit-to-delivery latency at 200/s offered).
 */
function processBenchmark() {
  const run = (script, extraEnv = {}) => {
    say(`running ${script} …`);
    const out = execFileSync(process.execPath, ['scripts/run-ts.cjs', script], {
      cwd: root,
      env: { ...env, ...extraEnv },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(out.slice(out.indexOf('{\n')));
  };
  const automation = run('bench/automation.ts');
  say(`automation: ${automation.recordedPerSecond} events/s recorded as runs, ${automation.executedPerSecond} runs/s executed`);
  const webhooks = run('bench/webhooks.ts');
  say(`webhooks: ${webhooks.deliveredPerSecond} deliveries/s (offered ${webhooks.offeredPerSecond}), p99 ${webhooks.latencyMs.p99} ms`);
  return {
    automation,
    webhooks,
    targets: {
      'automation ≥ 500 triggering events/s (one worker)': automation.recordedPerSecond >= 500,
      [`webhooks sustain ${webhooks.offeredPerSecond}/s offered (all delivered, rate within 2 %)`]:
        webhooks.delivered === webhooks.expected && webhooks.deliveredPerSecond >= 0.98 * webhooks.offeredPerSecond,
      'webhooks p99 enqueue-to-delivery < 1 s': webhooks.latencyMs.p99 < 1000,
    },
  };
}

async function main() {
  // `BENCH_SKIP_BUILD=1`: measure the dist/ already there (e.g. a before/after pair of builds).
  if (env.BENCH_SKIP_BUILD !== '1') {
    say('building dist/ …');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'ignore' });
  }
  if (ONLY_PROCESS) {
    const process19 = processBenchmark();
    writeResults({ process: { automation: process19.automation, webhooks: process19.webhooks }, targets: process19.targets }, false);
    return;
  }
  const sharedEnv = appEnv();
  say(`seeding ${PRODUCTS} products (+10 × ${OTHER_PRODUCTS} in other organizations) into ${DB_NAME} …`);
  const seeded = await prepareDatabase(sharedEnv);

  rmSync(MEMORY_FILE, { force: true });
  const apiProcess = start('api', 'dist/main.api.js', { ...sharedEnv, PORT: String(PORTS.api) });
  // As `npm run start:worker` runs it (heap capped: see README), plus the memory sampler.
  const worker = start(
    'worker',
    'dist/main.worker.js',
    { ...sharedEnv, WORKER_PORT: String(PORTS.worker), BENCH_MEMORY_FILE: MEMORY_FILE, BENCH_CPU_PROFILE: env.BENCH_CPU_PROFILE ?? '' },
    [],
    [...WORKER_NODE_ARGS, '--require', join(root, 'bench/memory-sampler.cjs')],
  );
  const baseline = (port, count) =>
    start(`baseline-${count ? 'b' : 'a'}`, 'bench/baselines/fastify-pg.mjs', {
      ...env,
      DATABASE_URL,
      BENCH_ORG_ID: seeded.main.orgId,
      PORT: String(port),
      BASELINE_COUNT: count ? '1' : '0',
    });
  baseline(PORTS.baseA, false);
  baseline(PORTS.baseB, true);
  await waitHttp(`http://127.0.0.1:${PORTS.api}/healthz/ready`);
  await waitHttp(`http://127.0.0.1:${PORTS.worker}/healthz/ready`);
  await waitHttp(`http://127.0.0.1:${PORTS.baseA}/products`);
  await waitHttp(`http://127.0.0.1:${PORTS.baseB}/products`);

  if (ONLY_IMPORT) {
    const imported = await importBenchmark(
      await login(seeded.importer.emails[0]),
      seeded.importer.orgId,
      worker.pid,
      seeded.importer.emails[0],
      apiProcess.pid,
    );
    // Issue 21's target: 1,000,000 rows in < 90 s, i.e. 9 s per 100,000 rows.
    const limit = (9 * IMPORT_ROWS) / 100_000;
    writeResults(
      {
        import: imported,
        targets: {
          [`${IMPORT_ROWS} rows import < ${limit} s`]: imported.state === 'completed' && imported.seconds < limit,
          'worker RSS < 300 MB': imported.workerPeakRssMb < 300,
        },
      },
      false,
    );
    return;
  }
  const token = await login(seeded.main.emails[0]);
  const headers = { authorization: `Bearer ${token}`, 'x-organization-id': seeded.main.orgId };
  const api = (path) => `http://127.0.0.1:${PORTS.api}/api/v1${path}`;
  // Cursors are signed by the server (a hand-made one is a 422): walk to depth 200 through the API.
  let walked = '';
  for (let page = 1; page < 200; page += 1) {
    const res = await fetch(api(`/products?size=20&sort=name${walked ? `&cursor=${walked}` : ''}`), { headers });
    const body = await res.json();
    if (!res.ok || !body.nextCursor) throw new Error(`cursor walk stopped at page ${page}: ${res.status}`);
    walked = body.nextCursor;
  }
  seeded.cursor = encodeURIComponent(walked);
  // Warm up every target once (connections, caches), as a steady-state server would be.
  for (const url of [api('/products?page=1&size=20&sort=name'), `http://127.0.0.1:${PORTS.baseA}/products`])
    await autocannon({ url, connections: 10, duration: WARM_UP_SECONDS, headers });

  const http = [];
  http.push(await load('(a) baseline: page query only', { url: `http://127.0.0.1:${PORTS.baseA}/products?page=1&size=20` }));
  // Issue 18: filtered lists (indexed field + custom field) with exact totals, and their plans.
  const shaping =
    ONLY_COLLABORATION || ONLY_STOCK
      ? undefined
      : await shapingBenchmark({
          apiBase: `http://127.0.0.1:${PORTS.api}`,
          headers,
          databaseUrl: DATABASE_URL,
          orgId: seeded.main.orgId,
          categoryIds: seeded.shaping.categoryIds,
          root,
          requests: QUICK ? 100 : 300,
          say,
        });
  if (ONLY_SHAPING) {
    writeResults({ http, shaping: shaping.shapes, targets: shaping.targets }, false);
    return;
  }
  let imported;
  let searched;
  let pooled;
  let ratios = {};
  let stockMoves;
  const targets = {};
  if (!ONLY_COLLABORATION && !ONLY_STOCK) {
    http.push(await load('(b) baseline: page + count(*)', { url: `http://127.0.0.1:${PORTS.baseB}/products?page=1&size=20` }));
    http.push(await load('Alees GET /products page 1', { url: api('/products?page=1&size=20&sort=name'), headers }));
    http.push(await load('(a) baseline: page 200', { url: `http://127.0.0.1:${PORTS.baseA}/products?page=200&size=20` }));
    http.push(await load('Alees GET /products page 200', { url: api('/products?page=200&size=20&sort=name'), headers }));
    http.push(await load('Alees GET /products cursor @ depth 200', { url: api(`/products?size=20&sort=name&cursor=${seeded.cursor}`), headers }));
    http.push(await load('Alees GET /products/{id}', { url: api(`/products/${seeded.productId}`), headers }));
    http.push(
      await load('Alees POST /stock-moves (receipt)', {
        url: api('/stock-moves'),
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ productId: seeded.productId, toLocationId: seeded.locationId, quantity: '1' }),
      }),
    );
  }
  if (!ONLY_COLLABORATION) {
    stockMoves = await stockMovesBenchmark(api, headers, seeded);
    http.push(stockMoves.row);
  }
  if (!ONLY_COLLABORATION && !ONLY_STOCK) {
    http.push(await measureLogins(seeded.main.emails.slice(1, QUICK ? 17 : undefined)));
    pooled = await pgBouncerBenchmark(sharedEnv, headers);
  }

  if (ONLY_STOCK) {
    writeResults({ http, stockMoves: stockMoves.section, targets: stockMoves.section.targets }, false);
    return;
  }

  // Issue 17 (collaboration): notifications, fan-out, timeline; ratios against (a) of this run.
  const collabSettings = {
    connections: CONNECTIONS,
    duration: DURATION,
    warmUpSeconds: WARM_UP_SECONDS,
    fanOutRuns: FAN_OUT_RUNS,
    redisUrl: REDIS_URL,
    redisKeyPrefix: REDIS_KEY_PREFIX,
    databaseUrl: DATABASE_URL,
  };
  const collabTokens = {
    commenter: await login(seeded.collab.emails[0]),
    many: await login(seeded.collab.emails[1]),
    few: await login(seeded.collab.emails[2]),
  };

  if (!ONLY_COLLABORATION) {
    const importToken = await login(seeded.importer.emails[0]);
    imported = await importBenchmark(importToken, seeded.importer.orgId, worker.pid, seeded.importer.emails[0], apiProcess.pid);
  }
  const { result: queries, extra: collabStatements } = await queryCounts(token, seeded.main.orgId, sharedEnv, (count, probeUrl) =>
    collaborationStatements(count, collabTokens, seeded.collab, probeUrl),
  );
  const collaboration = await collaborationBenchmark({
    apiBase: `http://127.0.0.1:${PORTS.api}`,
    login,
    seeded: seeded.collab,
    baselineA: http[0],
    statements: collabStatements,
    settings: collabSettings,
  });
  if (!ONLY_COLLABORATION && SEARCH_PRODUCTS > 0) searched = await searchBenchmark(await login(seeded.searcher.emails[0]), seeded.searcher.orgId);

  if (!ONLY_COLLABORATION) {
    const [a, b, page1, aDeep, page200, cursor, getById] = http;
    ratios = {
      page1VsA: Number((page1.reqPerSec / a.reqPerSec).toFixed(2)),
      page1VsB: Number((page1.reqPerSec / b.reqPerSec).toFixed(2)),
      page200VsADeep: Number((page200.reqPerSec / aDeep.reqPerSec).toFixed(2)),
      cursorDepth200VsAPage1: Number((cursor.reqPerSec / a.reqPerSec).toFixed(2)),
      getByIdVsA: Number((getById.reqPerSec / a.reqPerSec).toFixed(2)),
      ...(pooled ? { page1PgBouncerVsDirect: pooled.ratio } : {}),
    };
    Object.assign(targets, {
      'list ≥ 0.6× (a)': ratios.page1VsA >= 0.6,
      'list p99 < 50 ms': page1.p99 < 50,
      'cursor @ depth 200 ≥ 0.6× (a) page 1': ratios.cursorDepth200VsAPage1 >= 0.6,
      'get by id ≥ 0.7× (a)': ratios.getByIdVsA >= 0.7,
      [`${IMPORT_ROWS} rows import < ${(15 * IMPORT_ROWS) / 100_000} s`]:
        imported.state === 'completed' && imported.seconds < (15 * IMPORT_ROWS) / 100_000,
      'worker RSS < 300 MB': imported.workerPeakRssMb < 300,
      'constant statements per list': queries.size1 === queries.size20 && queries.size20 === queries.size100,
      [`search p95 < 50 ms @ ${SEARCH_PRODUCTS}`]: searched ? searched.prefix.p95 < 50 && searched.prefix.failed === 0 : 'not measured (BENCH_SEARCH_PRODUCTS=0)',
    });
  }
  Object.assign(targets, collaboration.section.targets);
  if (shaping) Object.assign(targets, shaping.targets);

  Object.assign(targets, stockMoves.section.targets);
  // Issue 19 (full bench only: --quick must stay under 3 minutes).
  const processed = QUICK || ONLY_COLLABORATION ? undefined : processBenchmark();
  if (processed) Object.assign(targets, processed.targets);
  const results = {
    at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    settings: { quick: QUICK, only: ONLY_COLLABORATION ? 'collaboration' : undefined, durationSeconds: DURATION, connections: CONNECTIONS, products: PRODUCTS, importRows: IMPORT_ROWS },
    loadAverage: (await import('node:os')).loadavg().map((n) => Number(n.toFixed(2))),
    http,
    ratios,
    import: imported,
    queriesPerListRequest: queries,
    search: searched,
    shaping: shaping?.shapes,
    pgbouncer: pooled ?? 'not measured (no pgbouncer binary: apt-get install pgbouncer)',
    collaboration: collaboration.section,
    stockMoves: stockMoves.section,
    process: processed ? { automation: processed.automation, webhooks: processed.webhooks } : 'not measured (--quick)',
    targets,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const stamp = results.at.replace(/[:.]/g, '-');
  writeFileSync(join(root, `bench/results/${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  if (!ONLY_COLLABORATION) writeFileSync(join(root, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);

  process.stdout.write('\n');
  const table = [...http, ...(pooled ? [pooled.direct, pooled.through] : []), ...collaboration.http];
  console.table(table.map(({ scenario, reqPerSec, p50, p99, non2xx }) => ({ scenario, 'req/s': reqPerSec, 'p50 ms': p50, 'p99 ms': p99, 'not 2xx': non2xx })));
  if (Object.keys(ratios).length > 0) console.table(ratios);
  console.table(collaboration.section.ratios);
  console.table({ stockMoves: { ...stockMoves.section, targets: undefined } });
  if (imported) console.table({ import: imported });
  console.table({ fanOut: { ...collaboration.section.fanOut, runs: undefined } });
  console.table({ timeline: collaboration.section.timeline });
  if (searched) console.table({ 'search, 1 client': searched.prefix, 'search, 10 clients': searched.prefix10Clients, 'search typo fallback, 1 client': searched.typoFallback });
  console.table(Object.entries(targets).map(([target, met]) => ({ target, met })));
  say(`results: bench/results/${stamp}.json`);
}

const stopAll = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});
main()
  .then(() => {
    stopAll();
    process.exit(0);
  })
  .catch((error) => {
    process.stderr.write(`[bench] failed: ${error.stack ?? error}\n`);
    stopAll();
    process.exit(1);
  });

