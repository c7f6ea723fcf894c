#!/usr/bin/env node
// A bare Fastify + pg server answering the same page as `GET /api/v1/products?page=N&size=20&sort=name`
// for one organization: no auth, no tenancy, no validation — the limit of this machine.
//   BASELINE_COUNT=1 also runs the exact count(*) per request (the naive list contract).
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const orgId = process.env.BENCH_ORG_ID;
const withCount = process.env.BASELINE_COUNT === '1';
const app = Fastify({ logger: false });

app.get('/products', async (request) => {
  const page = Math.max(1, Number(request.query.page ?? 1));
  const size = Math.min(100, Number(request.query.size ?? 20));
  const { rows } = await pool.query(
    `SELECT id, sku::text AS sku, name, description, type, status, price::text AS price, currency_code, uom_code,
            category_id, ARRAY(SELECT t.name FROM taggings g JOIN tags t ON t.id = g.tag_id
              WHERE g.organization_id = products.organization_id AND g.target_type = 'product'
                AND g.target_id = products.id ORDER BY t.name_key) AS tags,
            custom_fields, created_at, updated_at, version
       FROM products WHERE organization_id = $1 AND deleted_at IS NULL
      ORDER BY name, id LIMIT $2 OFFSET $3`,
    [orgId, size, (page - 1) * size],
  );
  let total;
  if (withCount) {
    const result = await pool.query(
      'SELECT count(*)::int AS total FROM products WHERE organization_id = $1 AND deleted_at IS NULL',
      [orgId],
    );
    total = result.rows[0].total;
  }
  return { items: rows, total, page, size };
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
