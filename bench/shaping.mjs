// Issue 18's target: a filter over 100k products on an indexed field and a custom field (GIN)
// answers p95 < 50 ms with the exact total; the plans (EXPLAIN ANALYZE) of the three common
// shapes go into the results. Used by bench/run.mjs (`BENCH_ONLY=shaping` runs it alone).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';

const COLOURS = ['Black', 'White', 'Red', 'Blue', 'Green', 'Grey', 'Silver', 'Gold', 'Orange', 'Purple'];
const CATEGORIES = 10;

/**
 * The organization's custom fields `color` (select, 10 options) and `grade` (number 0–4) on every
 * product, and 10 product categories spread over them: the shapes below then select 1/10, 1/100
 * and 1/5 of the catalog. Written with SQL (seeding, not app writes), then ANALYZEd by the caller.
 */
export async function seedShaping(db, orgId) {
  await db.query(
    `INSERT INTO custom_field_definitions (organization_id, entity_type, key, label, type, options, position)
     VALUES ($1, 'product', 'color', 'Colour', 'select', $2::jsonb, 1),
            ($1, 'product', 'grade', 'Grade', 'number', NULL, 2)`,
    [orgId, JSON.stringify(COLOURS)],
  );
  const { rows: categories } = await db.query(
    `WITH ids AS (SELECT gen_random_uuid() AS id, g FROM generate_series(1, $2::int) g)
     INSERT INTO categories (id, organization_id, type, name, path, depth)
     SELECT id, $1, 'product', 'Shelf ' || g, '/' || id || '/', 0 FROM ids
     RETURNING id`,
    [orgId, CATEGORIES],
  );
  await db.query(
    `UPDATE products p SET
        custom_fields = jsonb_build_object('color', ($2::text[])[1 + (n % 10)], 'grade', (n / 10) % 5),
        category_id = ($3::uuid[])[1 + ((n / 50) % $4::int)]
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM products WHERE organization_id = $1) s
      WHERE p.id = s.id`,
    [orgId, COLOURS, categories.map((c) => c.id), CATEGORIES],
  );
  return { categoryIds: categories.map((c) => c.id) };
}

/** The three shapes measured (the filter JSON of `?filter=`, and what it stands for). */
function shapes(categoryId) {
  return [
    {
      name: 'indexed field + custom field: categoryId = X AND cf.color = Red (1/100)',
      filter: { and: [{ field: 'categoryId', op: 'eq', value: categoryId }, { field: 'cf.color', op: 'eq', value: 'Red' }] },
    },
    {
      name: 'custom field set: cf.color in [Red, Blue] (1/5), by name',
      filter: { field: 'cf.color', op: 'in', value: ['Red', 'Blue'] },
    },
    {
      name: 'range + typed custom field + tag: price >= 500 AND cf.grade >= 3 AND tags = bench (1/5)',
      filter: {
        and: [
          { field: 'price', op: 'gte', value: '500' },
          { field: 'cf.grade', op: 'gte', value: 3 },
          { field: 'tags', op: 'eq', value: 'bench' },
        ],
      },
    },
  ];
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * Per shape: one cold request (the exact count computed and cached), then `requests` sequential
 * ones (1 client; count from the cache under the write generation) → p50/p95/p99 ms; the total is
 * checked against count(*) in SQL. Then the plans of the count and of the page, as the tenant role.
 */
export async function shapingBenchmark({ apiBase, headers, databaseUrl, orgId, categoryIds, root, requests, say }) {
  const require = createRequire(join(root, 'package.json'));
  require('reflect-metadata');
  const { compileListFilter } = require(join(root, 'dist/core/http/index.js'));
  const { PRODUCT_LIST } = require(join(root, 'dist/modules/products/products.service.js'));
  const { productConditions, PRODUCT_COLUMNS } = require(join(root, 'dist/modules/products/products.repository.js'));
  const custom = new Map([
    ['color', { key: 'color', type: 'select', options: COLOURS, isActive: true }],
    ['grade', { key: 'grade', type: 'number', options: null, isActive: true }],
  ]);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const results = [];
  try {
    for (const shape of shapes(categoryIds[0])) {
      const url = `${apiBase}/api/v1/products?size=20&sort=name&filter=${encodeURIComponent(JSON.stringify(shape.filter))}`;
      const timed = async () => {
        const t0 = performance.now();
        const res = await fetch(url, { headers });
        const body = await res.json();
        if (!res.ok) throw new Error(`${shape.name}: ${res.status} ${JSON.stringify(body)}`);
        return { ms: performance.now() - t0, total: body.total, items: body.items.length };
      };
      const cold = await timed();
      const times = [];
      for (let i = 0; i < requests; i += 1) times.push((await timed()).ms);
      times.sort((a, b) => a - b);
      const compiled = compileListFilter(PRODUCT_LIST, shape.filter, { orgId, userId: null, now: new Date(), timezone: 'UTC' }, custom);
      const where = productConditions(orgId, {}, compiled);
      await db.query('BEGIN');
      await db.query(`SELECT set_config('role', 'alees_tenant', true), set_config('app.current_org', $1, true)`, [orgId]);
      const [{ exact }] = (await db.query(`SELECT count(*)::int AS exact FROM products WHERE ${where.sql}`, where.params)).rows;
      const plan = async (sql) =>
        (await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, where.params)).rows.map((r) => r['QUERY PLAN']);
      const countPlan = await plan(`SELECT count(*)::int AS total FROM products WHERE ${where.sql}`);
      const pagePlan = await plan(
        `SELECT ${PRODUCT_COLUMNS} FROM products WHERE ${where.sql} ORDER BY products.name ASC, id ASC LIMIT 20 OFFSET 0`,
      );
      await db.query('ROLLBACK');
      const row = {
        shape: shape.name,
        filter: shape.filter,
        total: cold.total,
        exactTotal: exact,
        coldMs: Number(cold.ms.toFixed(1)),
        p50: Number(percentile(times, 50).toFixed(1)),
        p95: Number(percentile(times, 95).toFixed(1)),
        p99: Number(percentile(times, 99).toFixed(1)),
        requests,
        countPlan,
        pagePlan,
      };
      say(`filter "${shape.name}": total ${row.total} (exact ${exact}), cold ${row.coldMs} ms, p50 ${row.p50} ms, p95 ${row.p95} ms`);
      results.push(row);
    }
  } finally {
    await db.end();
  }
  return {
    shapes: results,
    targets: {
      'filtered list p95 < 50 ms with the exact total (every shape)': results.every((r) => r.p95 < 50 && r.total === r.exactTotal),
    },
  };
}
