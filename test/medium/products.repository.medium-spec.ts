import { v7 as uuidv7 } from 'uuid';
import { CursorCodec, parseListQuery, PreconditionFailedError } from '../../src/core/http';
import { PRODUCT_LIST } from '../../src/modules/products';
import { NewProduct, ProductsRepository } from '../../src/modules/products/products.repository';
import { MediumDatabase, openMediumDatabase } from '../support/medium-db';

/** ProductsRepository on a real database: organization-scoped reads, pages, guarded writes, RLS. */
describe('ProductsRepository (medium)', () => {
  const repository = new ProductsRepository();
  const codec = new CursorCodec('medium-tier-cursor-secret');
  const count = (_where: unknown, load: () => Promise<number>) => load();
  let database: MediumDatabase;
  let orgA: string;
  let orgB: string;

  const product = (sku: string, extra: Partial<NewProduct> = {}): NewProduct => ({
    id: uuidv7(),
    sku,
    name: `Product ${sku}`,
    description: '',
    type: 'goods',
    price: null,
    currencyCode: null,
    uomCode: 'pc',
    categoryId: null,
    customFields: {},
    ...extra,
  });
  const insert = (orgId: string, row: NewProduct) =>
    database.db.run(orgId, (m) => repository.insert(m, orgId, row)).then(() => row.id);

  beforeAll(async () => {
    database = await openMediumDatabase();
    orgA = await database.organization();
    orgB = await database.organization();
  });
  afterAll(() => database.close());

  it('reads a product by id only within its organization, RLS hiding it even unfiltered', async () => {
    const id = await insert(orgA, product('A-1', { price: '12.5', currencyCode: 'EUR' }));
    const found = await database.db.run(orgA, (m) => repository.findById(m, orgA, id));
    expect(found).toMatchObject({ id, sku: 'A-1', price: '12.5000', currency_code: 'EUR' });
    expect(await database.db.run(orgB, (m) => repository.findById(m, orgB, id))).toBeUndefined();
    // Even asking for orgA's row from inside orgB's transaction: row-level security hides it.
    expect(await database.db.run(orgB, (m) => repository.findById(m, orgA, id))).toBeUndefined();
    const seen = await database.db.run(orgB, (m) =>
      m.query<unknown[]>('SELECT id FROM products WHERE id = $1', [id]),
    );
    expect(seen).toEqual([]);
  });

  it('finds by sku case-insensitively and lets two organizations share a sku', async () => {
    await insert(orgA, product('Shared-1'));
    await insert(orgB, product('shared-1'));
    const a = await database.db.run(orgA, (m) => repository.findBySku(m, orgA, 'SHARED-1'));
    const b = await database.db.run(orgB, (m) => repository.findBySku(m, orgB, 'SHARED-1'));
    expect(a?.sku).toBe('Shared-1');
    expect(b?.sku).toBe('shared-1');
  });

  it('walks keyset pages by sku without gaps or repeats', async () => {
    const org = await database.organization();
    const skus = ['K-05', 'K-01', 'K-04', 'K-02', 'K-03'];
    for (const sku of skus) await insert(org, product(sku));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const raw: Record<string, unknown> = { sort: 'sku', size: '2' };
      if (cursor) raw.cursor = cursor;
      const query = parseListQuery(PRODUCT_LIST, raw, { defaultSize: 2, maxSize: 2 }, codec);
      const page = await database.db.run(org, (m) => repository.page(m, org, query, count));
      expect(page.total).toBe(5);
      seen.push(...page.rows.map((r) => r.sku));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...skus].sort());
  });

  it('applies a guarded update once: a stale version is a 412 and changes nothing', async () => {
    const id = await insert(orgA, product('G-1'));
    const changes = {
      sku: null,
      name: 'Renamed',
      description: null,
      status: null,
      price: null,
      currencyCode: null,
      uomCode: 'pc',
      categoryId: null,
      customFields: {},
    };
    await database.db.run(orgA, (m) => repository.update(m, orgA, id, 1, changes));
    const stale = database.db.run(orgA, (m) =>
      repository.update(m, orgA, id, 1, { ...changes, name: 'Lost' }),
    );
    await expect(stale).rejects.toBeInstanceOf(PreconditionFailedError);
    // Another organization cannot update it either, even with the right version.
    const foreign = database.db.run(orgB, (m) => repository.update(m, orgB, id, 2, changes));
    await expect(foreign).rejects.toBeInstanceOf(PreconditionFailedError);
    const row = await database.db.run(orgA, (m) => repository.findById(m, orgA, id));
    expect(row).toMatchObject({ name: 'Renamed', version: 2 });
  });

  it('soft-deletes: the row disappears from reads and its sku is free again', async () => {
    const id = await insert(orgA, product('D-1'));
    await database.db.run(orgA, (m) => repository.softDelete(m, orgA, id));
    expect(await database.db.run(orgA, (m) => repository.findById(m, orgA, id))).toBeUndefined();
    const again = await insert(orgA, product('D-1'));
    expect(await database.db.run(orgA, (m) => repository.findById(m, orgA, again))).toBeDefined();
  });
});
