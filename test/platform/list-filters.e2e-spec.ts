import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { addActor, createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Issue 18: `?filter=` on every list — nested trees, relation paths, tokens, every operator,
 * 422 `invalid_filter` with `meta.path`, exact totals per filter, tenant isolation (also under
 * random filters), and `filter` on an export.
 */
const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

interface Page<T> {
  items: T[];
  total: number;
}
interface Product {
  id: string;
  sku: string;
  name: string;
  price: string | null;
}
interface ErrorBody {
  errors: { code: string; source?: { parameter?: string }; meta?: { path?: string } }[];
}

describe('list filters (issue 18)', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;
  let noRole: Actor;
  let teaId: string;
  let coffeeId: string;
  const mine = new Set<string>();
  const theirs = new Set<string>();
  const tag = `t${randomUUID().slice(0, 6)}`;

  const q = (filter: unknown) => `filter=${encodeURIComponent(JSON.stringify(filter))}`;
  const list = async <T = Product>(actor: Actor, path: string, filter: unknown, extra = '') => {
    const sep = path.includes('?') ? '&' : '?';
    const res = await actor.get(`/api/v1/${path}${sep}${q(filter)}${extra}`);
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Page<T>;
  };
  const skus = async (filter: unknown, actor = owner) =>
    (await list(actor, 'products?size=100', filter)).items.map((p) => p.sku).sort();
  const invalid = async (path: string, raw: string) => {
    const res = await owner.get(`/api/v1/${path}?filter=${encodeURIComponent(raw)}`);
    expect(res.status).toBe(422);
    const [error] = (res.body as ErrorBody).errors;
    expect(error.code).toBe('invalid_filter');
    expect(error.source).toEqual({ parameter: 'filter' });
    return error.meta?.path;
  };

  const category = async (actor: Actor, name: string) =>
    (
      (await actor.post('/api/v1/categories').send({ type: 'product', name }).expect(201)).body as {
        id: string;
      }
    ).id;
  const product = async (actor: Actor, body: Record<string, unknown>) => {
    const res = await actor.post('/api/v1/products').send({
      type: 'goods',
      currencyCode: body.price === null ? null : 'EUR',
      uomCode: 'pc',
      ...body,
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as Product).id;
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    other = await createTenant(t);
    noRole = await addActor(t, owner.organization, []);
    teaId = await category(owner, 'Tea');
    coffeeId = await category(owner, 'Coffee');
    const otherTea = await category(other, 'Tea');
    const rows: [string, string, string | null, string | null, string[]][] = [
      ['F-1', 'Green tea', '4.50', teaId, [tag, 'green']],
      ['F-2', 'Black tea 50%_off', '12.00', teaId, [tag]],
      ['F-3', 'Espresso', '2.00', coffeeId, [tag, 'hot']],
      ['F-4', 'Filter coffee', null, coffeeId, []],
      ['F-5', 'Teapot', '35.00', null, [tag]],
    ];
    for (const [sku, name, price, categoryId, tags] of rows) {
      mine.add(await product(owner, { sku, name, price, categoryId, tags }));
    }
    for (const [sku, name, price, , tags] of rows) {
      theirs.add(await product(other, { sku, name, price, categoryId: otherTea, tags }));
    }
    // F-4 was created ten days ago (in every zone), F-3 is active.
    await t.dataSource.query(
      `UPDATE products SET created_at = now() - interval '10 days' WHERE sku = 'F-4'`,
    );
    await t.dataSource.query(
      `UPDATE products SET status = 'active' WHERE sku = 'F-3' AND organization_id = $1`,
      [owner.organization.id],
    );
  });
  afterAll(async () => t.close());

  it('filters products by nested trees with every operator', async () => {
    expect(await skus({ field: 'price', op: 'gte', value: '4.5' })).toEqual(['F-1', 'F-2', 'F-5']);
    expect(await skus({ field: 'price', op: 'gt', value: 4.5 })).toEqual(['F-2', 'F-5']);
    expect(await skus({ field: 'price', op: 'lt', value: '4.5' })).toEqual(['F-3']);
    expect(await skus({ field: 'price', op: 'lte', value: '4.50' })).toEqual(['F-1', 'F-3']);
    // Decimals compare as numbers: "12.00" = 12.
    expect(await skus({ field: 'price', op: 'eq', value: '12' })).toEqual(['F-2']);
    expect(await skus({ field: 'price', op: 'neq', value: '12' })).toEqual([
      'F-1',
      'F-3',
      'F-4',
      'F-5',
    ]);
    expect(await skus({ field: 'price', op: 'isnull', value: true })).toEqual(['F-4']);
    expect(await skus({ field: 'sku', op: 'in', value: ['F-1', 'F-5', 'nope'] })).toEqual([
      'F-1',
      'F-5',
    ]);
    expect(await skus({ field: 'sku', op: 'notin', value: ['F-1', 'F-5'] })).toEqual([
      'F-2',
      'F-3',
      'F-4',
    ]);
    expect(await skus({ field: 'name', op: 'contains', value: 'tea' })).toEqual(['F-1', 'F-2']);
    expect(await skus({ field: 'name', op: 'icontains', value: 'TEA' })).toEqual([
      'F-1',
      'F-2',
      'F-5',
    ]);
    expect(await skus({ field: 'name', op: 'startswith', value: 'Tea' })).toEqual(['F-5']);
    expect(await skus({ field: 'name', op: 'endswith', value: 'coffee' })).toEqual(['F-4']);
    // LIKE metacharacters are literal.
    expect(await skus({ field: 'name', op: 'contains', value: '50%_' })).toEqual(['F-2']);
    expect(await skus({ field: 'name', op: 'contains', value: '%' })).toEqual(['F-2']);
    expect(await skus({ field: 'status', op: 'eq', value: 'active' })).toEqual(['F-3']);
    expect(await skus({ field: 'tags', op: 'eq', value: 'hot' })).toEqual(['F-3']);
    expect(await skus({ field: 'tags', op: 'isnull', value: true })).toEqual(['F-4']);
    expect(
      await skus({
        and: [
          { field: 'tags', op: 'in', value: [tag] },
          {
            or: [
              { field: 'price', op: 'gte', value: '30' },
              { not: { field: 'name', op: 'icontains', value: 'tea' } },
            ],
          },
        ],
      }),
    ).toEqual(['F-3', 'F-5']);
    // `not` is the exact complement, rows without a price included.
    expect(await skus({ not: { field: 'price', op: 'gt', value: '3' } })).toEqual(['F-3', 'F-4']);
  });

  it('follows relation paths and normalises names like the stored ones', async () => {
    expect(await skus({ field: 'category.name', op: 'eq', value: 'Tea' })).toEqual(['F-1', 'F-2']);
    expect(await skus({ field: 'category.name', op: 'eq', value: ' Te\u200ba ' })).toEqual([
      'F-1',
      'F-2',
    ]);
    expect(await skus({ field: 'category.name', op: 'neq', value: 'Tea' })).toEqual([
      'F-3',
      'F-4',
      'F-5',
    ]);
    expect(await skus({ field: 'category.name', op: 'isnull', value: true })).toEqual(['F-5']);
    // Look-alike (Cyrillic а) is another name.
    expect(await skus({ field: 'category.name', op: 'eq', value: 'Teа' })).toEqual([]);
    expect(await skus({ field: 'categoryId', op: 'eq', value: coffeeId })).toEqual(['F-3', 'F-4']);
  });

  it('resolves today and -7d on datetimes in the organization time zone', async () => {
    expect(await skus({ field: 'createdAt', op: 'eq', value: 'today' })).toEqual([
      'F-1',
      'F-2',
      'F-3',
      'F-5',
    ]);
    expect(await skus({ field: 'createdAt', op: 'lt', value: '-7d' })).toEqual(['F-4']);
    await t.dataSource.query(
      `UPDATE organizations SET timezone = 'Pacific/Kiritimati' WHERE id = $1`,
      [owner.organization.id],
    );
    // UTC+14: "+1d" there is at most tomorrow's date in UTC; nothing is created in the future.
    expect(await skus({ field: 'createdAt', op: 'gte', value: '+2d' })).toEqual([]);
    expect(await skus({ field: 'updatedAt', op: 'gte', value: '-1w' })).toHaveLength(5);
  });

  it('filters contacts, categories and files (relation paths, @me, today)', async () => {
    const cat = await owner
      .post('/api/v1/categories')
      .send({ type: 'contact', name: 'Suppliers' })
      .expect(201);
    const contactCat = (cat.body as { id: string }).id;
    await owner
      .post('/api/v1/contacts')
      .send({
        kind: 'company',
        displayName: 'Acme',
        categoryId: contactCat,
        emails: [{ email: 'sales@acme.test' }],
        notes: 'pays late',
      })
      .expect(201);
    await owner
      .post('/api/v1/contacts')
      .send({ kind: 'person', displayName: 'Ada', emails: [{ email: 'ada@example.test' }] })
      .expect(201);
    const names = async (filter: unknown) =>
      (await list<{ displayName: string }>(owner, 'contacts', filter)).items
        .map((c) => c.displayName)
        .sort();
    expect(await names({ field: 'category.name', op: 'eq', value: 'Suppliers' })).toEqual(['Acme']);
    expect(await names({ field: 'emails.email', op: 'endswith', value: '@example.test' })).toEqual([
      'Ada',
    ]);
    expect(
      await names({
        or: [
          { field: 'kind', op: 'eq', value: 'person' },
          { field: 'notes', op: 'icontains', value: 'LATE' },
        ],
      }),
    ).toEqual(['Acme', 'Ada']);

    const categories = await list<{ name: string }>(owner, 'categories', {
      and: [
        { field: 'type', op: 'eq', value: 'product' },
        { field: 'depth', op: 'eq', value: 0 },
      ],
    });
    expect(categories.items.map((c) => c.name).sort()).toEqual(['Coffee', 'Tea']);

    await owner
      .post('/api/v1/files')
      .attach(
        'file',
        Buffer.concat([
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          Buffer.alloc(50),
        ]),
        'a.png',
      )
      .expect(201);
    const files = await list<{ originalName: string }>(owner, 'files', {
      and: [
        { field: 'uploadedBy', op: 'eq', value: '@me' },
        { field: 'createdAt', op: 'eq', value: 'today' },
      ],
    });
    expect(files.items.map((f) => f.originalName)).toEqual(['a.png']);
    expect(
      (await list(other, 'files', { field: 'uploadedBy', op: 'eq', value: owner.user.id })).total,
    ).toBe(0);
  });

  it('answers 422 invalid_filter with meta.path, and writes nothing', async () => {
    const leaf = { field: 'name', op: 'eq', value: 'x' };
    let deep: unknown = leaf;
    for (let i = 0; i < 5; i++) deep = { not: deep };
    expect(await invalid('products', '{"field":')).toBe('');
    expect(
      await invalid(
        'products',
        JSON.stringify({ and: [leaf, { field: 'secret', op: 'eq', value: 1 }] }),
      ),
    ).toBe('and[1].field');
    expect(
      await invalid('products', JSON.stringify({ field: 'price', op: 'contains', value: '1' })),
    ).toBe('op');
    expect(
      await invalid(
        'products',
        JSON.stringify({ or: [leaf, { field: 'price', op: 'gt', value: 'ten' }] }),
      ),
    ).toBe('or[1].value');
    expect(await invalid('products', JSON.stringify(deep))).toBe('not.not.not.not.not');
    expect(
      await invalid(
        'products',
        JSON.stringify({ and: [{ or: Array.from({ length: 50 }, () => leaf) }, leaf] }),
      ),
    ).toBe('and[1]');
    expect(
      await invalid('products', JSON.stringify({ field: 'name', op: 'eq', value: 'a\u0000b' })),
    ).toBe('value');
    expect(
      await invalid('contacts', JSON.stringify({ field: 'kind', op: 'eq', value: 'robot' })),
    ).toBe('value');
    expect(
      await invalid('products', JSON.stringify({ field: 'cf.colour', op: 'eq', value: 'red' })),
    ).toBe('field');
    expect(await invalid('products', 'x'.repeat(9000))).toBe('');
    const twice = await owner.get(`/api/v1/products?${q(leaf)}&${q(leaf)}`);
    expect(twice.status).toBe(422);
    // With the saved-filters module present, an id that is no view of the caller's is a 404
    // (SavedFilterSource contract); a malformed one stays a 422 on the parameter.
    const saved = await owner.get(`/api/v1/products?savedFilterId=${randomUUID()}`);
    expect(saved.status).toBe(404);
    const malformed = await owner.get('/api/v1/products?savedFilterId=not-a-uuid');
    expect(malformed.status).toBe(422);
    expect((malformed.body as ErrorBody).errors[0].source).toEqual({
      parameter: 'savedFilterId',
    });
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM products WHERE organization_id = $1',
      [owner.organization.id],
    );
    expect(n).toBe(5);
  });

  it('needs the list permission (403) and never widens the tenant', async () => {
    expect(
      (await noRole.get(`/api/v1/products?${q({ field: 'sku', op: 'eq', value: 'F-1' })}`)).status,
    ).toBe(403);
    const everything = {
      or: [
        { field: 'name', op: 'isnull', value: false },
        { not: { field: 'name', op: 'isnull', value: false } },
        { field: 'categoryId', op: 'eq', value: teaId },
      ],
    };
    const page = await list(other, 'products?size=100', everything);
    expect(page.total).toBe(5);
    expect(page.items.every((p) => theirs.has(p.id))).toBe(true);
    // Another organization's category id matches nothing.
    expect(
      (await list(other, 'products', { field: 'categoryId', op: 'eq', value: teaId })).total,
    ).toBe(0);
  });

  it('keeps totals exact per filter: a write changes the cached total', async () => {
    const filter = { field: 'tags', op: 'eq', value: tag };
    expect((await list(owner, 'products', filter)).total).toBe(4);
    expect((await list(owner, 'products', { field: 'tags', op: 'eq', value: 'green' })).total).toBe(
      1,
    );
    mine.add(await product(owner, { sku: 'F-6', name: 'Oolong', price: '9', tags: [tag] }));
    expect((await list(owner, 'products', filter)).total).toBe(5);
    expect((await list(owner, 'products', { field: 'tags', op: 'eq', value: 'green' })).total).toBe(
      1,
    );
  });

  it('fuzz: random filters over HTTP get 200 or 422, never 5xx, never another tenant', async () => {
    const fields = [
      'sku',
      'name',
      'price',
      'status',
      'type',
      'tags',
      'categoryId',
      'createdAt',
      'category.name',
      'cf.x',
      'id',
    ];
    const hostile = fc.constantFrom(
      "'; DROP TABLE products; --",
      '%_\\',
      'a\u0000',
      'Teа',
      '@me',
      'today',
      '-7d',
      '1e400',
      '',
      '0000-01-01',
      teaId,
    );
    const value = fc.oneof(
      hostile,
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.boolean(),
      fc.array(hostile, { maxLength: 4 }),
    );
    const leaf = fc.record({
      field: fc.constantFrom(...fields),
      op: fc.constantFrom(
        'eq',
        'neq',
        'gt',
        'gte',
        'lt',
        'lte',
        'in',
        'notin',
        'contains',
        'icontains',
        'startswith',
        'endswith',
        'isnull',
        'like',
      ),
      value,
    });
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.record({ and: fc.array(tie('tree'), { minLength: 1, maxLength: 4 }) }),
        fc.record({ or: fc.array(tie('tree'), { minLength: 1, maxLength: 4 }) }),
        fc.record({ not: tie('tree') }),
      ),
    }));
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(tree, async (filter) => {
        const res = await owner.get(`/api/v1/products?size=100&${q(filter)}`);
        expect([200, 422]).toContain(res.status);
        if (res.status === 200) {
          ok += 1;
          for (const item of (res.body as Page<Product>).items)
            expect(mine.has(item.id)).toBe(true);
        } else {
          expect((res.body as ErrorBody).errors[0].code).toBe('invalid_filter');
        }
      }),
      { numRuns: 60 },
    );
    expect(ok).toBeGreaterThan(0);
  });

  it('exports a filtered list (?filter= in the export filters)', async () => {
    await t.startWorker();
    const bad = await owner
      .post('/api/v1/exports')
      .send({ resource: 'products', filters: { filter: '{"field":"nope","op":"eq","value":1}' } });
    expect(bad.status).toBe(422);
    expect((bad.body as ErrorBody).errors[0].code).toBe('invalid_filter');
    const started = await owner
      .post('/api/v1/exports')
      .send({
        resource: 'products',
        filters: { filter: JSON.stringify({ field: 'category.name', op: 'eq', value: 'Tea' }) },
      })
      .expect(202);
    const taskId = (started.body as { taskId: string }).taskId;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const task = (await owner.get(`/api/v1/tasks/${taskId}`).expect(200)).body as {
        state: string;
        result: { rows: number; fileId: string };
        error: unknown;
      };
      if (task.state === 'completed') {
        expect(task.result.rows).toBe(2);
        const file = await owner
          .get(`/api/v1/files/${task.result.fileId}/content`)
          .buffer(true)
          .parse(binary);
        const text = (file.body as Buffer).toString('utf8');
        expect(text).toContain('F-1');
        expect(text).toContain('F-2');
        expect(text).not.toContain('F-3');
        break;
      }
      if (task.state === 'failed') throw new Error(JSON.stringify(task.error));
      if (Date.now() > deadline) throw new Error('export did not finish');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 90_000);
});
