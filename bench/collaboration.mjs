// Issue 17's targets (the collaboration layer) for `npm run bench`: the unread count and the
// notification list of a person with 10,000 notifications, the fan-out of one comment to 1,000
// followers, and the timeline of a record with 10,000 events. Seeded with bulk SQL (as the
// benchmark's superuser: seeding, not app writes), measured through the real API and worker.
// See bench/README.md, "Collaboration (issue 17)".
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import notepack from 'notepack.io';
import pg from 'pg';

export const COLLAB = {
  followers: 1_000,
  notifications: 10_000,
  fewNotifications: 10,
  timelineEvents: 10_000,
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line) => process.stdout.write(`[bench] ${line}\n`);
const round = (n) => Number(n.toFixed(1));
const pick = (sorted, p) => round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
const median = (values) => pick([...values].sort((a, b) => a - b), 0.5);

/**
 * Seeds the COLLAB organization (created by the caller with three Owner users: the commenter, the
 * person with 10,000 notifications, the person with 10): 1,000 Member users following one product
 * (`fanOutProductId`), the notifications and their maintained counters, and 10,000 timeline events
 * (half audited field changes, half comments) on another product (`timelineProductId`).
 */
export async function seedCollaboration(db, collab, passwordHash) {
  const orgId = collab.orgId;
  const userIds = [];
  for (const email of collab.emails) {
    const { rows: [user] } = await db.query('SELECT id FROM users WHERE email = $1', [email]);
    userIds.push(user.id);
  }
  const [commenterId, manyId, fewId] = userIds;
  const product = async (sku) =>
    (
      await db.query(
        `INSERT INTO products (organization_id, sku, name, type, status, price, currency_code, uom_code)
         VALUES ($1, $2, $3, 'goods', 'active', 9.99, 'EUR', 'pc') RETURNING id`,
        [orgId, sku, sku],
      )
    ).rows[0].id;
  const fanOutProductId = await product('COLLAB-FANOUT');
  const timelineProductId = await product('COLLAB-TIMELINE');
  const probeProductId = await product('COLLAB-PROBE'); // no followers: the comment's own statements

  await db.query(
    `WITH u AS (
       INSERT INTO users (email, password_hash, full_name)
       SELECT 'collab-follower-' || g || '@bench.test', $2, 'Follower ' || g FROM generate_series(1, $3::int) g
       RETURNING id),
     m AS (
       INSERT INTO memberships (organization_id, user_id, is_default) SELECT $1, id, true FROM u
       RETURNING id, user_id),
     r AS (
       INSERT INTO membership_roles (membership_id, role_id)
       SELECT m.id, (SELECT id FROM roles WHERE is_system AND name = 'Member') FROM m)
     INSERT INTO followers (organization_id, entity_type, entity_id, user_id, reason)
     SELECT $1, 'product', $4, user_id, 'manual' FROM m`,
    [orgId, passwordHash, COLLAB.followers, fanOutProductId],
  );

  const notifications = async (userId, count) => {
    await db.query(
      `INSERT INTO notifications (organization_id, recipient_user_id, type, title, actor_user_id,
                                  entity_type, entity_id, action_path, data, created_at)
       SELECT $1, $2, 'comment.new', 'New comment on COLLAB-FANOUT', $5, 'product', $4::text,
              $6::text, jsonb_build_object('seq', g), now() - (($3::int - g) * interval '1 second')
         FROM generate_series(1, $3::int) g`,
      [orgId, userId, count, fanOutProductId, commenterId, `/products/${fanOutProductId}`],
    );
    await db.query(
      `INSERT INTO notification_counters (organization_id, user_id, unread, live) VALUES ($1, $2, $3, $3)`,
      [orgId, userId, count],
    );
  };
  await notifications(manyId, COLLAB.notifications);
  await notifications(fewId, COLLAB.fewNotifications);

  // Timeline: audited changes (a chain of their own: hashes are not verified here) and comments,
  // interleaved in time, one minute apart.
  const half = COLLAB.timelineEvents / 2;
  await db.query(
    `INSERT INTO audit_logs (organization_id, chain_key, seq, actor_user_id, action, entity_type, entity_id,
                             changes, created_at, prev_hash, hash)
     SELECT $1, $5::text, g, $2, 'update', 'product', $3,
            jsonb_build_object('price', jsonb_build_array(g, g + 1)), now() - (g * interval '2 minutes'),
            md5((g - 1)::text), md5(g::text)
       FROM generate_series(1, $4::int) g`,
    [orgId, commenterId, timelineProductId, half, `bench-timeline:${orgId}`],
  );
  await db.query(
    `INSERT INTO comments (organization_id, entity_type, entity_id, author_user_id, body, created_at, updated_at)
     SELECT $1, 'product', $3, $2, 'Bench comment ' || g, now() - (g * interval '2 minutes') - interval '1 minute',
            now() - (g * interval '2 minutes') - interval '1 minute'
       FROM generate_series(1, $4::int) g`,
    [orgId, commenterId, timelineProductId, half],
  );
  return { orgId, commenterId, manyId, fewId, fanOutProductId, timelineProductId, probeProductId, emails: collab.emails };
}

/**
 * Statements per notifications request (10 vs 10,000 notifications) and per comment POST (on a
 * product nobody follows), through the logging probe.
 */
export async function collaborationStatements(count, tokens, seeded, probeUrl) {
  const headers = (token) => ({ authorization: `Bearer ${token}`, 'x-organization-id': seeded.orgId });
  const result = {};
  for (const [who, token] of [['with10', tokens.few], ['with10000', tokens.many]]) {
    result[who] = {
      unreadCount: await count(`${probeUrl}/api/v1/notifications/unread-count`, headers(token)),
      list20: await count(`${probeUrl}/api/v1/notifications?size=20`, headers(token)),
    };
  }
  result.commentPost = await count(`${probeUrl}/api/v1/comments`, headers(tokens.commenter), {
    method: 'POST',
    headers: { ...headers(tokens.commenter), 'content-type': 'application/json' },
    body: JSON.stringify({ entityType: 'product', entityId: seeded.probeProductId, body: 'Statement probe' }),
  });
  say(
    `statements per comment POST: ${result.commentPost}; statements per notifications request: unread-count ${result.with10.unreadCount} (10) vs ${result.with10000.unreadCount} (10,000); ` +
      `list ${result.with10.list20} (10) vs ${result.with10000.list20} (10,000)`,
  );
  return result;
}

/** One autocannon scenario as a row of the bench's table (same shape as run.mjs `load`). */
async function load(title, options, settings) {
  const result = await autocannon({ connections: settings.connections, duration: settings.duration, ...options });
  const row = {
    scenario: title,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    ok: result['2xx'],
  };
  say(`${title}: ${row.reqPerSec} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms${row.non2xx ? `, ${row.non2xx} not 2xx` : ''}`);
  return row;
}

/**
 * One comment on the product with 1,000 followers, `runs` times (after one warm-up): the API's
 * answer time, then the time from that answer (the transaction has committed by then) until the
 * 1,000 `comment.new` rows exist (polled every 20 ms) and until the 1,000 `notification` emits
 * were published on the socket.io Redis channel (counted by a pattern subscriber).
 */
async function fanOut(api, headers, seeded, settings) {
  const subscriber = new Redis(settings.redisUrl, { lazyConnect: true });
  await subscriber.connect();
  const channel = `${settings.redisKeyPrefix}socket.io#`;
  let watch = null;
  subscriber.on('pmessageBuffer', (_pattern, _channel, message) => {
    if (!watch) return;
    const [, packet] = notepack.decode(message);
    const [event, payload] = packet?.data ?? [];
    if (event === 'notification' && payload?.data?.commentId === watch.commentId) {
      watch.pushes += 1;
      if (watch.pushes === COLLAB.followers) watch.lastPushAt = performance.now();
    } else if (event === 'notification' && watch.commentId === null) {
      watch.early.push(payload);
    }
  });
  await subscriber.psubscribe(`${channel}*`);
  const db = new pg.Client({ connectionString: settings.databaseUrl });
  await db.connect();

  const one = async (index) => {
    watch = { commentId: null, pushes: 0, lastPushAt: null, early: [] };
    const t0 = performance.now();
    const res = await fetch(api('/comments'), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ entityType: 'product', entityId: seeded.fanOutProductId, body: `Fan-out comment ${index}` }),
    });
    const answeredAt = performance.now();
    const body = await res.json();
    if (res.status !== 201) throw new Error(`comment: ${res.status} ${JSON.stringify(body)}`);
    watch.commentId = body.id;
    // Pushes that raced ahead of the response body being read.
    watch.pushes += watch.early.filter((p) => p?.data?.commentId === body.id).length;
    if (watch.pushes >= COLLAB.followers) watch.lastPushAt = answeredAt;
    let rowsAt = null;
    let rows = 0;
    const deadline = answeredAt + 30_000;
    while ((rowsAt === null || watch.lastPushAt === null) && performance.now() < deadline) {
      if (rowsAt === null) {
        const { rows: [row] } = await db.query(
          `SELECT count(*)::int AS n FROM notifications WHERE organization_id = $1 AND dedupe_key = $2`,
          [seeded.orgId, `comment.new:${body.id}`],
        );
        rows = row.n;
        if (rows >= COLLAB.followers) rowsAt = performance.now();
      }
      await sleep(20);
    }
    const run = {
      commentMs: round(answeredAt - t0),
      rows,
      rowsAfterCommitMs: rowsAt === null ? null : round(rowsAt - answeredAt),
      pushes: watch.pushes,
      pushesAfterCommitMs: watch.lastPushAt === null ? null : round(watch.lastPushAt - answeredAt),
    };
    say(`fan-out ${index}: comment answered in ${run.commentMs} ms; ${run.rows} notifications after ${run.rowsAfterCommitMs} ms, ${run.pushes} pushes after ${run.pushesAfterCommitMs} ms`);
    return run;
  };
  await one(0); // warm-up (first comment of the process: lazy paths, plans)
  const runs = [];
  for (let i = 1; i <= settings.fanOutRuns; i += 1) runs.push(await one(i));
  watch = null;
  await subscriber.quit();
  await db.end();
  const stat = (key) => {
    const values = runs.map((r) => r[key]);
    return values.includes(null)
      ? { median: null, max: null }
      : { median: median(values), max: round(Math.max(...values)) };
  };
  return {
    followers: COLLAB.followers,
    runs,
    commentMs: stat('commentMs'),
    rowsAfterCommitMs: stat('rowsAfterCommitMs'),
    pushesAfterCommitMs: stat('pushesAfterCommitMs'),
  };
}

/** Walks the whole timeline of the 10,000-event product page by page (one client), timing each page. */
async function timelineWalk(api, headers, seeded, limit) {
  const walk = async () => {
    const latencies = [];
    let cursor;
    let entries = 0;
    for (;;) {
      const t0 = performance.now();
      const res = await fetch(
        api(`/timeline/product/${seeded.timelineProductId}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
        { headers },
      );
      const body = await res.json();
      latencies.push(performance.now() - t0);
      if (!res.ok) throw new Error(`timeline: ${res.status} ${JSON.stringify(body)}`);
      entries += body.items.length;
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    return { latencies, entries, deepCursor: cursor };
  };
  await walk(); // warm-up
  const { latencies, entries } = await walk();
  latencies.sort((a, b) => a - b);
  // A cursor half-way down, for the loaded scenario.
  let deep;
  let cursor;
  for (let page = 0; page < Math.floor(COLLAB.timelineEvents / limit / 2); page += 1) {
    const res = await fetch(
      api(`/timeline/product/${seeded.timelineProductId}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
      { headers },
    );
    cursor = (await res.json()).nextCursor;
    deep = cursor;
  }
  return {
    events: COLLAB.timelineEvents,
    limit,
    pages: latencies.length,
    entries,
    p50: pick(latencies, 0.5),
    p95: pick(latencies, 0.95),
    p99: pick(latencies, 0.99),
    max: round(latencies[latencies.length - 1]),
    deepCursor: deep,
  };
}

/**
 * The collaboration scenarios: notifications under load (as ratios to baseline (a) of the same
 * run), the fan-out, the timeline walk and a loaded timeline page. Returns the JSON section and
 * the table rows.
 */
export async function collaborationBenchmark({ apiBase, login, seeded, baselineA, statements, settings }) {
  const api = (path) => `${apiBase}/api/v1${path}`;
  const [commenter, many] = [await login(seeded.emails[0]), await login(seeded.emails[1])];
  const headers = (token) => ({ authorization: `Bearer ${token}`, 'x-organization-id': seeded.orgId });
  for (const url of [api('/notifications/unread-count'), api('/notifications?size=20')])
    await autocannon({ url, connections: settings.connections, duration: settings.warmUpSeconds, headers: headers(many) });
  // What is measured is what the target says: a full page out of 10,000, the count maintained.
  const page = await (await fetch(api('/notifications?size=20'), { headers: headers(many) })).json();
  const count = await (await fetch(api('/notifications/unread-count'), { headers: headers(many) })).json();
  if (page.total !== COLLAB.notifications || page.items?.length !== 20 || count.unread !== COLLAB.notifications)
    throw new Error(`notifications seed: total ${page.total}, ${page.items?.length} items, unread ${count.unread}`);

  const http = [];
  const unread = await load('Alees GET /notifications/unread-count (10,000)', { url: api('/notifications/unread-count'), headers: headers(many) }, settings);
  const list = await load('Alees GET /notifications?size=20 (10,000)', { url: api('/notifications?size=20'), headers: headers(many) }, settings);
  http.push(unread, list);

  const fan = await fanOut(api, headers(commenter), seeded, settings);
  say(`fan-out to ${fan.followers}: comment median ${fan.commentMs.median} ms (max ${fan.commentMs.max}); notifications after commit median ${fan.rowsAfterCommitMs.median} ms (max ${fan.rowsAfterCommitMs.max}); pushes median ${fan.pushesAfterCommitMs.median} ms (max ${fan.pushesAfterCommitMs.max})`);

  const timeline = await timelineWalk(api, headers(commenter), seeded, 50);
  say(`timeline walk (${timeline.pages} pages of ${timeline.limit} over ${timeline.events} events, 1 client): p50 ${timeline.p50} ms, p95 ${timeline.p95} ms, p99 ${timeline.p99} ms`);
  const timelineUrl = (cursor) => api(`/timeline/product/${seeded.timelineProductId}?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  await autocannon({ url: timelineUrl(), connections: 10, duration: settings.warmUpSeconds, headers: headers(commenter) });
  const timelineFirst = await load('Alees GET /timeline/product/{id} first page (10,000 events)', { url: timelineUrl(), headers: headers(commenter) }, settings);
  const timelineDeep = await load('Alees GET /timeline/product/{id} page 100 (cursor)', { url: timelineUrl(timeline.deepCursor), headers: headers(commenter) }, settings);
  http.push(timelineFirst, timelineDeep);
  delete timeline.deepCursor;

  const ratio = (row) => Number((row.reqPerSec / baselineA.reqPerSec).toFixed(2));
  const ratios = {
    unreadCountVsA: ratio(unread),
    notificationListVsA: ratio(list),
    unreadCountP99VsA: Number((unread.p99 / Math.max(1, baselineA.p99)).toFixed(2)),
    notificationListP99VsA: Number((list.p99 / Math.max(1, baselineA.p99)).toFixed(2)),
    timelineFirstPageVsA: ratio(timelineFirst),
  };
  const same = (key) => statements.with10[key] === statements.with10000[key];
  const targets = {
    'unread count: same statements for 10 and 10,000 notifications': same('unreadCount'),
    'notification list: same statements for 10 and 10,000 notifications': same('list20'),
    'fan-out: 1,000 notifications within 2 s of commit (max of runs)':
      fan.rowsAfterCommitMs.max !== null && fan.rowsAfterCommitMs.max < 2_000,
    'fan-out: 1,000 realtime pushes within 2 s of commit (max of runs)':
      fan.pushesAfterCommitMs.max !== null && fan.pushesAfterCommitMs.max < 2_000,
    'fan-out: comment answered < 50 ms (median of runs)': fan.commentMs.median < 50,
    'timeline (10,000 events): page p95 < 50 ms': timeline.p95 < 50,
  };
  return { http, section: { settings: { ...COLLAB, fanOutRuns: settings.fanOutRuns }, http, ratios, statementsPerRequest: statements, fanOut: fan, timeline, targets } };
}
