import { randomUUID } from 'node:crypto';
import type { Actor } from '../support/auth';
import { ContractActors, countQueries, tenantActors } from '../support/resource-contract';
import { expectTenantIsolation } from '../support/tenant-isolation';
import { createTestApp, TestApp } from '../support/test-app';

interface Move {
  id: string;
  quantity: string;
}
interface Level {
  productId: string;
  locationId: string;
  warehouseId: string;
  quantity: string;
}
interface Envelope {
  errors: { code: string; source?: { pointer?: string }; meta?: Record<string, unknown> }[];
}

const code = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

describe('stock moves and levels', () => {
  let t: TestApp;
  let actors: ContractActors;
  let owner: Actor;
  let warehouse: string;

  const post = async (actor: Actor, url: string, body: Record<string, unknown>) => {
    const res = await actor.post(url).send(body);
    if (res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  };
  const product = (actor = owner, type = 'goods') =>
    post(actor, '/api/v1/products', { sku: code('S'), name: 'Widget', type });
  const location = (allowNegative = false, warehouseId = warehouse, actor = owner) =>
    post(actor, '/api/v1/stock-locations', {
      warehouseId,
      code: code('L'),
      name: 'Bin',
      allowNegative,
    });
  const move = (body: Record<string, unknown>, actor = owner) =>
    actor.post('/api/v1/stock-moves').send(body);
  const level = async (productId: string, locationId: string): Promise<string | undefined> => {
    const res = await owner
      .get(`/api/v1/stock-levels?productId=${productId}&locationId=${locationId}`)
      .expect(200);
    return (res.body as { items: Level[] }).items[0]?.quantity;
  };
  const ledgerBalance = async (productId: string, locationId: string) => {
    const [{ balance }] = await t.dataSource.query<{ balance: string }[]>(
      `SELECT trim_scale(COALESCE(sum(CASE WHEN to_location_id = $2 THEN quantity ELSE -quantity END), 0))::text AS balance
         FROM stock_moves WHERE product_id = $1 AND (from_location_id = $2 OR to_location_id = $2)`,
      [productId, locationId],
    );
    return balance;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { DATABASE_POOL_SIZE: '10' } });
    actors = await tenantActors(t);
    owner = actors.writer;
    warehouse = await post(owner, '/api/v1/warehouses', { code: code('W'), name: 'Main' });
  });
  afterAll(async () => t.close());

  it('receives, issues and transfers; levels follow in the same transaction; everything audited', async () => {
    const [p, a, b] = [await product(), await location(), await location()];
    const receipt = await move({
      productId: p,
      toLocationId: a,
      quantity: '10.5',
      reference: 'PO-1',
    });
    expect(receipt.status).toBe(201);
    expect(receipt.headers.location).toBe(`/api/v1/stock-moves/${(receipt.body as Move).id}`);
    expect(receipt.body).toMatchObject({
      quantity: '10.5',
      fromLocationId: null,
      actorUserId: owner.user.id,
    });
    await move({ productId: p, fromLocationId: a, toLocationId: b, quantity: '4' }).expect(201);
    await move({ productId: p, fromLocationId: b, quantity: '1.25' }).expect(201);

    expect(await level(p, a)).toBe('6.5');
    expect(await level(p, b)).toBe('2.75');
    expect(await ledgerBalance(p, a)).toBe('6.5');
    expect(await ledgerBalance(p, b)).toBe('2.75');
    const levels = await owner.get(
      `/api/v1/stock-levels?warehouseId=${warehouse}&productId=${p}&sort=quantity`,
    );
    expect(
      (levels.body as { items: Level[] }).items.map((l) => [l.locationId, l.quantity]),
    ).toEqual([
      [b, '2.75'],
      [a, '6.5'],
    ]);
    const one = await owner.get(`/api/v1/stock-moves/${(receipt.body as Move).id}`).expect(200);
    expect(one.body).toEqual(receipt.body);
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_logs WHERE entity_type = 'stock_move' AND changes->>'productId' = $1`,
      [p],
    );
    expect(n).toBe(3);
  });

  it('refuses a move below zero with 409 insufficient_stock and writes nothing', async () => {
    const [p, a, b] = [await product(), await location(), await location()];
    await move({ productId: p, toLocationId: a, quantity: '3' }).expect(201);
    const refused = await move({
      productId: p,
      fromLocationId: a,
      toLocationId: b,
      quantity: '3.000001',
    });
    expect(refused.status).toBe(409);
    expect((refused.body as Envelope).errors[0]).toMatchObject({
      code: 'insufficient_stock',
      source: { pointer: '/quantity' },
      meta: { available: '3', requested: '3.000001' },
    });
    const empty = await move({ productId: p, fromLocationId: b, quantity: '1' });
    expect((empty.body as Envelope).errors[0]).toMatchObject({
      code: 'insufficient_stock',
      meta: { available: '0' },
    });
    expect(await level(p, a)).toBe('3');
    expect(await level(p, b)).toBeUndefined();
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM stock_moves WHERE product_id = $1',
      [p],
    );
    expect(n).toBe(1);
  });

  it('lets a location that allows negative stock go below zero', async () => {
    const [p, loose] = [await product(), await location(true)];
    await move({ productId: p, fromLocationId: loose, quantity: '2' }).expect(201);
    expect(await level(p, loose)).toBe('-2');
    await move({ productId: p, toLocationId: loose, quantity: '5' }).expect(201);
    expect(await level(p, loose)).toBe('3');
  });

  it('100 parallel moves out of a level of 50: exactly 50 succeed, 50 get 409, the level is 0', async () => {
    const [p, a, b] = [await product(), await location(), await location()];
    await move({ productId: p, toLocationId: a, quantity: '50' }).expect(201);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        move(
          i % 2
            ? { productId: p, fromLocationId: a, quantity: '1' }
            : { productId: p, fromLocationId: a, toLocationId: b, quantity: '1' },
        ),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 409)).toHaveLength(50);
    for (const res of results.filter((r) => r.status === 409))
      expect((res.body as Envelope).errors[0].code).toBe('insufficient_stock');
    expect(await level(p, a)).toBe('0');
    expect(await ledgerBalance(p, a)).toBe('0');
    expect(await level(p, b)).toBe(await ledgerBalance(p, b));
    const [{ moves }] = await t.dataSource.query<{ moves: number }[]>(
      'SELECT count(*)::int AS moves FROM stock_moves WHERE product_id = $1 AND from_location_id = $2',
      [p, a],
    );
    expect(moves).toBe(50);
  });

  it('opposite transfers in parallel neither deadlock nor lose a move', async () => {
    const [p, a, b] = [await product(), await location(), await location()];
    await move({ productId: p, toLocationId: a, quantity: '20' }).expect(201);
    await move({ productId: p, toLocationId: b, quantity: '20' }).expect(201);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        move({
          productId: p,
          fromLocationId: i % 2 ? a : b,
          toLocationId: i % 2 ? b : a,
          quantity: '1',
        }),
      ),
    );
    expect(results.map((r) => r.status).every((s) => s === 201)).toBe(true);
    expect([await level(p, a), await level(p, b)]).toEqual(['20', '20']);
  });

  it('replays a retried POST with the same Idempotency-Key instead of moving twice', async () => {
    const [p, a] = [await product(), await location()];
    const key = randomUUID();
    const body = { productId: p, toLocationId: a, quantity: '7' };
    const first = await owner
      .post('/api/v1/stock-moves')
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    const again = await owner
      .post('/api/v1/stock-moves')
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    expect(again.body).toEqual(first.body);
    expect(await level(p, a)).toBe('7');
    const other = await owner
      .post('/api/v1/stock-moves')
      .set('Idempotency-Key', key)
      .send({ ...body, quantity: '8' });
    expect(other.status).toBe(422);
  });

  it('the ledger is append-only in the database', async () => {
    const [p, a] = [await product(), await location()];
    const id = (await move({ productId: p, toLocationId: a, quantity: '1' }).expect(201))
      .body as Move;
    await expect(
      t.dataSource.query(`UPDATE stock_moves SET quantity = 2 WHERE id = $1`, [id.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.dataSource.query(`DELETE FROM stock_moves WHERE id = $1`, [id.id]),
    ).rejects.toThrow(/append-only/);
    expect(
      t.app
        .getHttpAdapter()
        .getInstance()
        .hasRoute({ method: 'DELETE', url: '/api/v1/stock-moves/:id' }),
    ).toBe(false);
  });

  it('refuses bad input with 422 and pointers, writing nothing', async () => {
    const [p, a] = [await product(), await location()];
    const before = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM stock_moves',
    );
    const bad = await move({
      productId: 'x',
      toLocationId: a,
      quantity: '-1',
      movedAt: 'yesterday',
    });
    expect(bad.status).toBe(422);
    expect((bad.body as Envelope).errors.map((e) => e.source?.pointer).sort()).toEqual([
      '/movedAt',
      '/productId',
      '/quantity',
    ]);
    for (const [body, code] of [
      [{ productId: p, quantity: '1' }, 'location_required'],
      [{ productId: p, fromLocationId: a, toLocationId: a, quantity: '1' }, 'same_location'],
      [{ productId: p, toLocationId: randomUUID(), quantity: '1' }, 'invalid_location'],
      [{ productId: randomUUID(), toLocationId: a, quantity: '1' }, 'invalid_product'],
      [
        { productId: await product(owner, 'service'), toLocationId: a, quantity: '1' },
        'not_stockable',
      ],
      [{ productId: p, toLocationId: a, quantity: '0' }, 'validation_error'],
    ] as const) {
      const res = await move(body);
      expect({ status: res.status, code: (res.body as Envelope).errors[0].code }).toEqual({
        status: 422,
        code,
      });
    }
    const after = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM stock_moves',
    );
    expect(after).toEqual(before);
  });

  it('needs stock:move to post and stock:read to read (403)', async () => {
    const [p, a] = [await product(), await location()];
    const viewerPost = await move({ productId: p, toLocationId: a, quantity: '1' }, actors.reader);
    expect(viewerPost.status).toBe(403);
    expect((await actors.reader.get('/api/v1/stock-levels')).status).toBe(200);
    for (const url of ['/api/v1/stock-moves', '/api/v1/stock-levels'])
      expect((await actors.stranger.get(url)).status).toBe(403);
    expect(await level(p, a)).toBeUndefined();
  });

  it('is invisible to another organization, which cannot move stock through its locations', async () => {
    const [p, a] = [await product(), await location()];
    await expectTenantIsolation(
      {
        create: async (actor) =>
          (
            (await move({ productId: p, toLocationId: a, quantity: '2' }, actor).expect(201))
              .body as Move
          ).id,
        itemUrl: (id) => `/api/v1/stock-moves/${id}`,
        listUrl: '/api/v1/stock-moves?size=100',
      },
      owner,
      actors.otherTenant!,
    );
    const theirs = await actors.otherTenant!.get(`/api/v1/stock-levels?productId=${p}`).expect(200);
    expect((theirs.body as { total: number }).total).toBe(0);
    const theirProduct = await product(actors.otherTenant);
    const cross = await move(
      { productId: theirProduct, toLocationId: a, quantity: '1' },
      actors.otherTenant,
    );
    expect((cross.body as Envelope).errors[0].code).toBe('invalid_location');
  });

  it('pages the ledger by cursor and lists with a constant number of queries', async () => {
    const [p, a] = [await product(), await location()];
    for (let i = 0; i < 5; i += 1)
      await move({ productId: p, toLocationId: a, quantity: '1', reference: `R${i}` }).expect(201);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await owner
        .get(`/api/v1/stock-moves?productId=${p}&size=2${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      const body = res.body as { items: (Move & { reference: string })[]; nextCursor?: string };
      seen.push(...body.items.map((m) => m.reference));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['R4', 'R3', 'R2', 'R1', 'R0']);

    for (const url of ['/api/v1/stock-moves', '/api/v1/stock-levels']) {
      const one = await countQueries(() => owner.get(`${url}?size=1`).expect(200), t.dataSource);
      const three = await countQueries(() => owner.get(`${url}?size=3`).expect(200), t.dataSource);
      expect(three).toBe(one);
    }
  });
});
