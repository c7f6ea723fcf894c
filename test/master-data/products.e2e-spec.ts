import { randomUUID } from 'node:crypto';
import { Actor, createTenant } from '../support/auth';
import {
  ContractActors,
  countQueries,
  describeResourceContract,
  tenantActors,
} from '../support/resource-contract';
import { createTestApp, TestApp } from '../support/test-app';

interface Product {
  id: string;
  sku: string;
  status: string;
  price: string | null;
  version: number;
}
interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}

const sku = () => `SKU-${randomUUID().slice(0, 8)}`;
const tea = (overrides: Record<string, unknown> = {}) => ({
  sku: sku(),
  name: 'Earl Grey',
  type: 'goods',
  price: '12.5',
  currencyCode: 'EUR',
  uomCode: 'pc',
  tags: ['tea'],
  ...overrides,
});

describe('products', () => {
  let t: TestApp;
  let actors: ContractActors;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    actors = await tenantActors(t);
    owner = actors.writer;
  });
  afterAll(async () => t.close());

  const create = async (body: Record<string, unknown>) => {
    const res = await owner.post('/api/v1/products').send(body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Product;
  };

  describeResourceContract(() => actors, {
    url: '/api/v1/products',
    table: 'products',
    auditType: 'product',
    create: () => tea(),
    invalid: {
      body: { sku: '', name: '', type: 'gadget', price: '12.345678', currencyCode: 'euro' },
      pointers: ['/sku', '/name', '/type', '/price', '/currencyCode'],
    },
    update: { body: { price: '9.99' }, expect: { price: '9.9900' } },
    listFilter: () => '?tag=tea',
  });

  it('stores money as an exact decimal string with its currency', async () => {
    const product = await create(tea({ price: '0.1' }));
    expect(product).toMatchObject({ price: '0.1000', currencyCode: 'EUR', status: 'draft' });
    const noCurrency = await owner.post('/api/v1/products').send(tea({ currencyCode: undefined }));
    expect((noCurrency.body as Envelope).errors[0].source?.pointer).toBe('/currencyCode');
    const unknown = await owner.post('/api/v1/products').send(tea({ currencyCode: 'ZZZ' }));
    expect(unknown.body).toMatchObject({ errors: [{ code: 'invalid_currency' }] });
    const uom = await owner.post('/api/v1/products').send(tea({ uomCode: 'furlong' }));
    expect(uom.body).toMatchObject({ errors: [{ code: 'invalid_uom' }] });
    const cleared = await owner
      .patch(`/api/v1/products/${product.id}`)
      .send({ price: null, currencyCode: null });
    expect(cleared.body).toMatchObject({ price: null, currencyCode: null });
    const half = await owner.patch(`/api/v1/products/${product.id}`).send({ price: '1' });
    expect(half.body).toMatchObject({ errors: [{ code: 'price_currency_mismatch' }] });
  });

  it('keeps sku unique per organization, case-insensitively, ignoring deleted products', async () => {
    const code = sku();
    const first = await create(tea({ sku: code }));
    const clash = await owner.post('/api/v1/products').send(tea({ sku: code.toLowerCase() }));
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({
      errors: [{ code: 'conflict', source: { pointer: '/sku' } }],
    });
    await actors
      .otherTenant!.post('/api/v1/products')
      .send(tea({ sku: code }))
      .expect(201);

    await owner.delete(`/api/v1/products/${first.id}`).expect(204);
    const [row] = await t.dataSource.query<{ deleted_at: Date | null }[]>(
      'SELECT deleted_at FROM products WHERE id = $1',
      [first.id],
    );
    expect(row.deleted_at).toBeInstanceOf(Date);
    const reused = await create(tea({ sku: code }));
    expect(reused.id).not.toBe(first.id);
    const listed = await owner.get(`/api/v1/products?q=${code}`).expect(200);
    expect((listed.body as { items: Product[] }).items.map((p) => p.id)).toEqual([reused.id]);
  });

  it('moves through the lifecycle only along allowed transitions', async () => {
    const product = await create(tea());
    const step = (status: string) => owner.patch(`/api/v1/products/${product.id}`).send({ status });
    const skip = await step('end_of_life');
    expect(skip.status).toBe(422);
    expect(skip.body).toMatchObject({
      errors: [{ code: 'invalid_transition', source: { pointer: '/status' } }],
    });
    expect((await step('active')).body).toMatchObject({ status: 'active' });
    expect((await step('draft')).status).toBe(422);
    expect((await step('discontinued')).body).toMatchObject({ status: 'discontinued' });
    expect((await step('end_of_life')).body).toMatchObject({ status: 'end_of_life' });
    expect((await step('active')).status).toBe(422);
    const actions = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_id = $1 ORDER BY created_at, id`,
      [product.id],
    );
    expect(actions.map((a) => a.action)).toEqual([
      'create',
      'transition',
      'transition',
      'transition',
    ]);
  });

  it('checks custom fields against the organization’s definitions (the attribute schema is gone)', async () => {
    // No such route any more: the path is read as a product id (400, not a uuid).
    expect((await owner.get('/api/v1/products/attribute-schema')).status).toBe(400);
    const legacy = await owner.post('/api/v1/products').send(tea({ attributes: { a: 1 } }));
    expect(legacy.status).toBe(422); // unknown body field
    const define = (body: Record<string, unknown>) =>
      owner
        .post('/api/v1/custom-fields')
        .send({ entityType: 'product', label: String(body.key), ...body })
        .expect(201)
        .then((res) => res.body as { id: string; version: number });
    const color = await define({
      key: 'color',
      type: 'select',
      options: ['red', 'blue'],
      required: true,
    });
    await define({ key: 'weight', type: 'number' });

    const bad = await owner
      .post('/api/v1/products')
      .send(tea({ customFields: { color: 'green', weight: 'heavy', size: 'L' } }));
    expect(bad.status).toBe(422);
    expect((bad.body as Envelope).errors.map((e) => e.source?.pointer).sort()).toEqual([
      '/customFields/color',
      '/customFields/size',
      '/customFields/weight',
    ]);
    const missing = await owner.post('/api/v1/products').send(tea({ customFields: {} }));
    expect((missing.body as Envelope).errors[0].source?.pointer).toBe('/customFields/color');
    const made = await create(tea({ customFields: { color: 'red', weight: 2.5 } }));
    expect(made).toMatchObject({ customFields: { color: 'red', weight: 2.5 } });
    // Deactivated: other tests' products (no custom fields) stay valid.
    await owner
      .patch(`/api/v1/custom-fields/${color.id}`)
      .set('If-Match', `"${color.version}"`)
      .send({ isActive: false })
      .expect(200);
  });

  it('walks every product with ?cursor= in stable order, and refuses a cursor with a nullable sort', async () => {
    const prefix = `walk-${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 5; i += 1) await create(tea({ name: `${prefix} ${i % 2}` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await owner
        .get(`/api/v1/products?q=${prefix}&size=2&sort=-name${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      const body = res.body as { items: Product[]; total: number; nextCursor?: string };
      expect(body.total).toBe(5);
      seen.push(...body.items.map((p) => p.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(new Set(seen).size).toBe(5);
    const all = await owner.get(`/api/v1/products?q=${prefix}&size=5&sort=-name`).expect(200);
    expect(seen).toEqual((all.body as { items: Product[] }).items.map((p) => p.id));

    const nullable = await owner.get(
      `/api/v1/products?sort=price&cursor=${cursor ?? 'eyJrIjoxfQ'}`,
    );
    expect(nullable.status).toBe(422);
    const forged = await owner.get('/api/v1/products?cursor=bm9wZQ');
    expect(forged.status).toBe(422);
  });
});

describe('products: exact totals from the count cache', () => {
  let t: TestApp;
  let owner: Actor;
  beforeAll(async () => {
    t = await createTestApp();
    owner = (await tenantActors(t)).writer;
  });
  afterAll(async () => t.close());

  it('counts once, then serves the cached total until a write invalidates it', async () => {
    const total = async () =>
      ((await owner.get('/api/v1/products?size=1').expect(200)).body as { total: number }).total;
    expect(await total()).toBe(0);
    const product = (await owner.post('/api/v1/products').send(tea()).expect(201)).body as Product;
    const list = () => owner.get('/api/v1/products?size=1').expect(200);
    const miss = await countQueries(list, t.dataSource); // the create bumped the generation: counted again
    const hit = await countQueries(list, t.dataSource);
    expect(hit).toBe(miss - 1); // the count came from the cache
    expect(await total()).toBe(1);
    await owner.delete(`/api/v1/products/${product.id}`).expect(204);
    expect(await total()).toBe(0);
    // Another tenant's writes never touch this tenant's cached total.
    const other = await createTenant(t);
    await other.post('/api/v1/products').send(tea()).expect(201);
    expect(await total()).toBe(0);
  });
});
