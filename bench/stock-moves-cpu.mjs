// CPU per stock move, per process, and PostgreSQL round trips per move (issue 21).
//
// Usage (after `npm run build`, on a database seeded by `BENCH_ONLY=stock-moves npm run bench`):
//   BENCH_DATABASE_NAME=bench_stock PORT=3520 DIST=dist DUR=10 node bench/stock-moves-cpu.mjs
// Starts `$DIST/main.api.js` and `$DIST/main.worker.js` (Node running this script) on that
// database, logs in as bench-0@bench.test, then:
//  1. round trips: the API's DATABASE_URL goes through a counting TCP proxy; ROUND_TRIP_MOVES
//     sequential receipts; prints client→server simple queries (Q) + extended-protocol syncs (S)
//     per move (each is one round trip; the pool's connect and the auth guard's own reads count);
//  2. CPU: CONNECTIONS (default 50) connections on the 50 bench stock products (as bench/run.mjs's stockMoves) for DUR
//     seconds, CPU ticks from /proc per process group: this api, this worker, PostgreSQL backends
//     of this database only (others' tests on the machine are not counted; shared background
//     processes such as the WAL writer are not either), all of redis (shared), this load generator.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DB = process.env.BENCH_DATABASE_NAME ?? 'bench_stock';
const PORT = Number(process.env.PORT ?? 3520);
const PROXY_PORT = PORT + 1;
const WORKER_PORT = PORT + 2;
const DIST = process.env.DIST ?? 'dist';
const DUR = Number(process.env.DUR ?? 10);
const MOVES = Number(process.env.ROUND_TRIP_MOVES ?? 100);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DATABASE_URL = `postgres://root@127.0.0.1:5432/${DB}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The counting proxy: client→server messages after the startup packet are type(1) + length(4).
const counts = { Q: 0, S: 0 };
let counting = false;
const proxy = net.createServer((client) => {
  const server = net.connect(5432, '127.0.0.1');
  let started = false;
  let buffer = Buffer.alloc(0);
  client.on('data', (chunk) => {
    server.write(chunk);
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 4) break;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) break;
        buffer = buffer.subarray(length);
        started = true;
        continue;
      }
      if (buffer.length < 5) break;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) break;
      const type = String.fromCharCode(buffer[0]);
      if (counting && (type === 'Q' || type === 'S')) counts[type] += 1;
      buffer = buffer.subarray(1 + length);
    }
  });
  server.on('data', (chunk) => client.write(chunk));
  client.on('close', () => server.destroy());
  server.on('close', () => client.destroy());
  client.on('error', () => server.destroy());
  server.on('error', () => client.destroy());
});
await new Promise((r) => proxy.listen(PROXY_PORT, '127.0.0.1', r));

const env = {
  ...process.env,
  ENVIRONMENT: 'production',
  DATABASE_POOL_SIZE: '20',
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: `cpu${PORT}:`,
  JWT_SECRET_KEY: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'warn',
  API_RATE_LIMIT_USER: '1000000000/hour',
  API_RATE_LIMIT_ANONYMOUS: '1000000000/hour',
  FILE_STORAGE_BACKEND: 'local',
  LOCAL_MEDIA_ROOT: `/tmp/alees-cpu-files-${DB}`,
  EMAIL_BACKEND: 'console',
};
const children = [];
// PROF_DIR=<dir>: the API writes a V8 CPU profile there (analyse with /work/prof-tools/analyze.mjs).
const start = (script, extra, nodeArgs = []) => {
  const child = spawn(process.execPath, [...nodeArgs, join(DIST, script)], {
    cwd: root,
    env: { ...env, ...extra },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
};
const api = start(
  'main.api.js',
  { PORT: String(PORT), DATABASE_URL: `postgres://root@127.0.0.1:${PROXY_PORT}/${DB}` },
  process.env.PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF_DIR}`] : [],
);
const worker = start('main.worker.js', { WORKER_PORT: String(WORKER_PORT), DATABASE_URL });
const stop = async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r)))));
  proxy.close();
};
try {
  for (const port of [PORT, WORKER_PORT]) {
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz/ready`)).ok) break;
      } catch {}
      if (Date.now() > deadline) throw new Error(`port ${port} did not come up`);
      await sleep(250);
    }
  }
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const { rows: [org] } = await db.query(`SELECT id FROM organizations WHERE code = 'BENCH'`);
  const { rows: [location] } = await db.query(`SELECT id FROM stock_locations WHERE organization_id = $1 AND code = 'A1'`, [org.id]);
  const { rows: [first] } = await db.query(`SELECT id FROM products WHERE organization_id = $1 ORDER BY name, id LIMIT 1`, [org.id]);
  const { rows: products } = await db.query(`SELECT id FROM products WHERE organization_id = $1 AND id <> $2 ORDER BY sku LIMIT 50`, [org.id, first.id]);
  const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench-0@bench.test', password: 'bench-password-123' }),
  });
  const { accessToken } = await res.json();
  const headers = { authorization: `Bearer ${accessToken}`, 'x-organization-id': org.id, 'content-type': 'application/json' };
  const url = `http://127.0.0.1:${PORT}/api/v1/stock-moves`;
  const body = (i) => JSON.stringify({ productId: products[i % products.length].id, toLocationId: location.id, quantity: '1' });
  const probe = await fetch(url, { method: 'POST', headers, body: body(0) });
  if (probe.status !== 201) throw new Error(`POST /stock-moves answered ${probe.status}: ${await probe.text()}`);

  // 1. Round trips per move (sequential, after a warm-up).
  for (let i = 0; i < 20; i += 1) await fetch(url, { method: 'POST', headers, body: body(i) });
  counting = true;
  for (let i = 0; i < MOVES; i += 1) {
    const r = await fetch(url, { method: 'POST', headers, body: body(i) });
    if (r.status !== 201) throw new Error(`status ${r.status}`);
  }
  counting = false;
  console.log(`round trips per move: ${((counts.Q + counts.S) / MOVES).toFixed(2)} (simple Q ${(counts.Q / MOVES).toFixed(2)}, extended S ${(counts.S / MOVES).toFixed(2)})`);

  // 2. CPU per move under CONNECTIONS connections.
  let next = 0;
  const options = {
    url,
    method: 'POST',
    headers,
    body: '{}',
    connections: CONNECTIONS,
    setupClient: (client) => client.setBody(body(next++)),
  };
  await autocannon({ ...options, duration: 2 });
  next = 0;
  const groupOf = (pid, cmd) =>
    pid === api.pid ? 'api' : pid === worker.pid ? 'worker' : pid === process.pid ? 'loadgen'
      : cmd.startsWith('postgres:') && cmd.split(' ').includes(DB) ? 'postgres' : cmd.includes('redis-server') ? 'redis' : null;
  const snapshot = () => {
    const out = {};
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        const group = groupOf(Number(pid), cmd);
        if (group) out[pid] = { group, ticks: Number(f[11]) + Number(f[12]) };
      } catch {}
    }
    return out;
  };
  const { rows: [{ n: before }] } = await db.query(`SELECT count(*)::int AS n FROM stock_moves WHERE organization_id = $1`, [org.id]);
  const s0 = snapshot();
  const result = await autocannon({ ...options, duration: DUR });
  const s1 = snapshot();
  const ticks = {};
  for (const [pid, v] of Object.entries(s1)) ticks[v.group] = (ticks[v.group] ?? 0) + v.ticks - (s0[pid]?.ticks ?? 0);
  const moves = result['2xx'];
  const perMove = Object.fromEntries(Object.entries(ticks).map(([g, t]) => [g, `${Math.round((t * 10_000) / moves)} µs`]));
  const { rows: [{ n: after }] } = await db.query(`SELECT count(*)::int AS n FROM stock_moves WHERE organization_id = $1`, [org.id]);
  const { rows: [exact] } = await db.query(
    `SELECT count(*)::int AS products, count(*) FILTER (WHERE coalesce(l.quantity, 0) = coalesce(m.total, 0))::int AS exact
       FROM unnest($1::uuid[]) AS p(id)
       LEFT JOIN stock_levels l ON l.product_id = p.id AND l.location_id = $2
       LEFT JOIN (SELECT product_id, sum(quantity) AS total FROM stock_moves WHERE to_location_id = $2 GROUP BY product_id) m
         ON m.product_id = p.id`,
    [products.map((p) => p.id), location.id],
  );
  await db.end();
  console.log('CPU per move:', perMove);
  console.log(`moves ${moves} (ledger +${after - before}), non-2xx ${result.non2xx}, req/s ${result.requests.average}, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, levels exact ${exact.exact}/${exact.products}`);
} finally {
  await stop();
}
