import { randomUUID } from 'node:crypto';
import type { Actor } from '../support/auth';
import { tenantActors } from '../support/resource-contract';
import { createTestApp, TestApp } from '../support/test-app';

interface PageBody {
  items: { id: string }[];
  total: number;
  nextCursor?: string;
}
interface Envelope {
  errors: { code: string; source?: { parameter?: string } }[];
}

/**
 * Every cursor-capable list, paged through `?cursor=` for every sort key in both directions, over
 * rows with tied keys, microsecond-distinct timestamps, decimals, case-differing text and nulls
 * (set directly in SQL): each row comes back exactly once, in the order PostgreSQL gives the same
 * ORDER BY (key, then id in the same direction). Issue 14, finding 2.
 */
describe('keyset cursors: exact for every sort key type, both directions', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    const actors = await tenantActors(t);
    owner = actors.writer;
    other = actors.otherTenant;
  });
  afterAll(async () => t.close());

  /** Follows `nextCursor` from `url` to the end; returns the ids in the order received. */
  const walk = async (actor: Actor, url: string, size: number): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages += 1) {
      const sep = url.includes('?') ? '&' : '?';
      const res = await actor.get(
        `${url}${sep}size=${size}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
      const body = res.body as PageBody;
      ids.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      if (!cursor) return ids;
    }
    throw new Error(`${url}: more than 100 pages (a cursor that does not advance)`);
  };

  const sqlOrder = async (sql: string, params: unknown[]): Promise<string[]> =>
    (await t.dataSource.query<{ id: string }[]>(sql, params)).map((r) => r.id);

  /** `label` names the list, sort and size in a failure. */
  const expectExactlyOnce = (got: string[], expected: string[], label = '') => {
    expect({ label, unique: new Set(got).size === got.length }).toEqual({ label, unique: true });
    expect({ label, got }).toEqual({ label, got: expected });
  };

  const createProduct = async (tag: string, i: number, price?: string) => {
    const res = await owner.post('/api/v1/products').send({
      sku: `K-${tag}-${i}`,
      name: `Keyset ${i}`,
      type: 'goods',
      tags: [tag],
      ...(price === undefined ? {} : { price, currencyCode: 'EUR' }),
    });
    if (res.status !== 201) throw new Error(`product: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  };

  it('the reported instance: 10 products sharing one created_at, size=3, both directions', async () => {
    const tag = `same-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 10; i += 1) ids.push(await createProduct(tag, i));
    await t.dataSource.query(
      `UPDATE products SET created_at = '2026-01-02 03:04:05.123456+00' WHERE id = ANY($1)`,
      [ids],
    );
    for (const direction of ['', '-']) {
      const got = await walk(owner, `/api/v1/products?tag=${tag}&sort=${direction}createdAt`, 3);
      const sorted = [...ids].sort();
      expectExactlyOnce(got, direction ? sorted.reverse() : sorted);
    }

    // Rows 20 ms and 1 µs apart: the next page starts right after the last row, never repeats it.
    await t.dataSource.query(
      `UPDATE products SET created_at = '2026-01-02 03:04:05+00'::timestamptz + (x.n * interval '20 milliseconds')
                                        + (x.n % 2) * interval '1 microsecond'
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM products WHERE id = ANY($1)) x
        WHERE products.id = x.id`,
      [ids],
    );
    const ascending = await walk(owner, `/api/v1/products?tag=${tag}&sort=createdAt`, 3);
    expectExactlyOnce(ascending, [...ids].sort());
    const descending = await walk(owner, `/api/v1/products?tag=${tag}&sort=-createdAt`, 3);
    expectExactlyOnce(descending, [...ids].sort().reverse());
  });

  it('products: every sort key (text, citext, decimal with nulls, timestamps) in both directions', async () => {
    const tag = `all-${randomUUID().slice(0, 8)}`;
    const prices = [
      '1.0001',
      '1.0001',
      '10',
      '2',
      undefined,
      undefined,
      '0',
      '2.5',
      undefined,
      '2',
    ];
    const ids: string[] = [];
    for (let i = 0; i < prices.length; i += 1) ids.push(await createProduct(tag, i, prices[i]));
    // Ties, case variants, microsecond-distinct and equal timestamps.
    await t.dataSource.query(
      `UPDATE products p SET
          name = (ARRAY['beta', 'Beta', 'alpha', 'beta', 'Alpha', 'gamma', 'beta', 'Ä', 'a', 'z'])[x.n],
          sku = (ARRAY['k-1', 'K-2', 'k-3', 'K-4', 'k-5', 'K-6', 'k-7', 'K-8', 'k-9', 'K-10'])[x.n] || '-' || $2,
          created_at = '2026-03-01 00:00:00+00'::timestamptz + ((x.n % 4) * interval '1 microsecond'),
          updated_at = '2026-03-01 00:00:00.999999+00'::timestamptz + ((x.n % 3) * interval '1 millisecond')
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM products WHERE id = ANY($1)) x
        WHERE p.id = x.id`,
      [ids, tag],
    );
    const columns = {
      name: 'name',
      sku: 'sku',
      price: 'price',
      createdAt: 'created_at',
      updatedAt: 'updated_at',
    };
    for (const [sort, column] of Object.entries(columns)) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const nulls = direction === 'ASC' ? 'NULLS LAST' : 'NULLS FIRST';
        const expected = await sqlOrder(
          `SELECT id FROM products WHERE id = ANY($1)
            ORDER BY ${column} ${direction} ${nulls}, id ${direction}`,
          [ids],
        );
        const url = `/api/v1/products?tag=${tag}&sort=${direction === 'DESC' ? '-' : ''}${sort}`;
        for (const size of [1, 3, 4]) {
          expectExactlyOnce(await walk(owner, url, size), expected, `${url} size=${size}`);
        }
        // Page mode gives the same order as cursor mode.
        const all = await owner.get(`${url}&size=100`).expect(200);
        expect((all.body as PageBody).items.map((i) => i.id)).toEqual(expected);
      }
    }
  });

  it('stock moves: tied and microsecond-distinct moved_at, both directions', async () => {
    const [product] = [await createProduct(`mv-${randomUUID().slice(0, 8)}`, 0)];
    const warehouse = await owner
      .post('/api/v1/warehouses')
      .send({ code: `W-${randomUUID().slice(0, 6)}`, name: 'Keyset' })
      .expect(201);
    const location = await owner
      .post('/api/v1/stock-locations')
      .send({
        warehouseId: (warehouse.body as { id: string }).id,
        code: `L-${randomUUID().slice(0, 6)}`,
        name: 'Bin',
      })
      .expect(201);
    const locationId = (location.body as { id: string }).id;
    // The ledger is append-only: rows go in with their times (no UPDATE).
    await t.dataSource.query(
      `INSERT INTO stock_moves (organization_id, product_id, to_location_id, quantity, moved_at)
       SELECT $1, $2, $3, 1, '2026-04-01 12:00:00+00'::timestamptz + ((n % 3) * interval '1 microsecond')
         FROM generate_series(1, 11) n`,
      [owner.organization.id, product, locationId],
    );
    for (const direction of ['ASC', 'DESC'] as const) {
      const expected = await sqlOrder(
        `SELECT id FROM stock_moves WHERE product_id = $1 ORDER BY moved_at ${direction}, id ${direction}`,
        [product],
      );
      expect(expected).toHaveLength(11);
      const url = `/api/v1/stock-moves?productId=${product}&sort=${direction === 'DESC' ? '-' : ''}movedAt`;
      for (const size of [1, 2, 5]) expectExactlyOnce(await walk(owner, url, size), expected);
    }
  });

  it('chat messages: ordered by their (time-ordered) id, both directions', async () => {
    const room = await owner
      .post('/api/v1/chat-rooms')
      .send({ name: `Keyset ${randomUUID().slice(0, 6)}`, participantIds: [] })
      .expect(201);
    const roomId = (room.body as { id: string }).id;
    for (let i = 0; i < 4; i += 1) {
      await owner
        .post(`/api/v1/chat-rooms/${roomId}/messages`)
        .send({ body: `m${i}` })
        .expect(201);
    }
    // Several inserted in one statement: one created_at, ids generated in the same millisecond.
    await t.dataSource.query(
      `INSERT INTO chat_messages (organization_id, room_id, author_id, body)
       SELECT $1, $2, $3, 'bulk ' || n FROM generate_series(1, 5) n`,
      [owner.organization.id, roomId, owner.user.id],
    );
    for (const direction of ['ASC', 'DESC'] as const) {
      const expected = await sqlOrder(
        `SELECT id FROM chat_messages WHERE room_id = $1 ORDER BY id ${direction}`,
        [roomId],
      );
      expect(expected).toHaveLength(9);
      const url = `/api/v1/chat-rooms/${roomId}/messages?sort=${direction === 'DESC' ? '-' : ''}createdAt`;
      for (const size of [1, 2, 4]) expectExactlyOnce(await walk(owner, url, size), expected);
    }
  });

  it('audit logs: (created_at, id) order, sealed or not, both directions', async () => {
    const tag = `au-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await createProduct(tag, i));
    for (const direction of ['ASC', 'DESC'] as const) {
      const expected = await sqlOrder(
        `SELECT id FROM audit_logs WHERE organization_id = $1 AND entity_type = 'product'
          ORDER BY created_at ${direction}, id ${direction}`,
        [owner.organization.id],
      );
      expect(expected.length).toBeGreaterThanOrEqual(5);
      const url = `/api/v1/audit-logs?entityType=product&sort=${direction === 'DESC' ? '-' : ''}createdAt`;
      for (const size of [1, 3]) expectExactlyOnce(await walk(owner, url, size), expected);
    }
  });

  it('a tampered, garbage, foreign or mismatched cursor is 422 naming `cursor` on every list', async () => {
    const tag = `tm-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 3; i += 1) await createProduct(tag, i);
    const first = await owner.get(`/api/v1/products?tag=${tag}&sort=name&size=1`).expect(200);
    const cursor = (first.body as PageBody).nextCursor!;
    expect(cursor).toBeDefined();
    const [body, signature] = cursor.split('.');
    const decoded = Buffer.from(body, 'base64url').toString('utf8');
    const edited = Buffer.from(decoded.replace('Keyset', 'Keyses')).toString('base64url');
    const lists = [
      '/api/v1/products?sort=name',
      '/api/v1/stock-moves',
      '/api/v1/audit-logs',
      `/api/v1/chat-rooms/${randomUUID()}/messages`,
    ];
    const bad = [
      'garbage',
      'eyJrIjoxfQ',
      Buffer.from(JSON.stringify({ k: '2026-01-01', id: randomUUID() })).toString('base64url'),
      `${edited}.${signature}`,
      `${body}.${signature.slice(1)}`,
      '%00%01',
    ];
    for (const list of lists) {
      for (const raw of bad) {
        const res = await owner.get(`${list}${list.includes('?') ? '&' : '?'}cursor=${raw}`);
        // The chat room does not exist; the cursor is refused before the room is looked up.
        expect(res.status).toBe(422);
        const error = (res.body as Envelope).errors[0];
        expect(error.source?.parameter).toBe('cursor');
      }
    }
    // A valid cursor of another sort key, direction or list is refused, not followed.
    for (const list of [
      `/api/v1/products?tag=${tag}&sort=-name`,
      `/api/v1/products?tag=${tag}&sort=sku`,
      `/api/v1/products?tag=${tag}&sort=price`,
      '/api/v1/stock-moves',
      '/api/v1/audit-logs',
    ]) {
      const res = await owner.get(`${list}${list.includes('?') ? '&' : '?'}cursor=${cursor}`);
      expect(res.status).toBe(422);
      expect((res.body as Envelope).errors[0].source?.parameter).toBe('cursor');
    }
    // Another tenant following this tenant's cursor sees its own rows only (the position is
    // just a key value, the tenant comes from the token).
    const foreign = await other.get(`/api/v1/products?tag=${tag}&sort=name&cursor=${cursor}`);
    expect(foreign.status).toBe(200);
    expect((foreign.body as PageBody).items).toEqual([]);
  });
});
