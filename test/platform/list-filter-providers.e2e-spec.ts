import { Global, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CustomFieldCatalog, CustomFieldDescriptor, FilterNode } from '../../src/core/filters';
import { createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Issue 18 through the two provider seams core declares (`CustomFieldCatalog`, implemented by the
 * custom-fields module; `SavedFilterSource`, by the saved-filters module): `cf.<key>` in filters
 * and sorts, `?savedFilterId=` (its filter ANDed, its sort, another list's → 422, unknown → 404,
 * stale → 422 `stale_filter`). The providers here are plain in-memory tables standing in for those
 * modules, which other branches deliver.
 */
class TableCatalog extends CustomFieldCatalog {
  readonly byOrg = new Map<string, CustomFieldDescriptor[]>();
  definitions(orgId: string, entityType: string): Promise<CustomFieldDescriptor[]> {
    return Promise.resolve(entityType === 'product' ? (this.byOrg.get(orgId) ?? []) : []);
  }
}
const catalog = new TableCatalog();

@Global()
@Module({
  providers: [{ provide: CustomFieldCatalog, useValue: catalog }],
  exports: [CustomFieldCatalog],
})
class FilterProvidersModule {}

interface ErrorBody {
  errors: { code: string; source?: { parameter?: string }; meta?: { path?: string } }[];
}

describe('list filters with custom fields and saved filters (issue 18)', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;
  const q = (filter: unknown) => `filter=${encodeURIComponent(JSON.stringify(filter))}`;
  const skus = async (query: string, actor = owner) => {
    const res = await actor.get(`/api/v1/products?size=100&${query}`);
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { items: { sku: string }[] }).items.map((p) => p.sku);
  };
  // Saved filters are the saved-filters module's real rows (private to `actor`), written here
  // directly so a view can name what the list does not allow (as after a field is removed).
  const save = async (
    actor: Actor,
    resource: string,
    filter: FilterNode | null,
    sort: string | null,
  ) => {
    const id = randomUUID();
    await t.dataSource.query(
      `INSERT INTO saved_filters (id, organization_id, owner_user_id, resource, name, filter, sort)
       VALUES ($1, $2, $3, $4, 'View', $5::jsonb, $6)`,
      [id, actor.organization.id, actor.user.id, resource, filter && JSON.stringify(filter), sort],
    );
    return id;
  };

  beforeAll(async () => {
    t = await createTestApp({ imports: [FilterProvidersModule] });
    // The column the custom-fields migration adds (another branch); here only if missing.
    await t.dataSource.query(
      `ALTER TABLE products ADD COLUMN IF NOT EXISTS custom_fields jsonb NOT NULL DEFAULT '{}'`,
    );
    owner = await createTenant(t);
    other = await createTenant(t);
    const fields: CustomFieldDescriptor[] = [
      { key: 'colour', type: 'select', options: ['red', 'blue'], isActive: true },
      { key: 'weight', type: 'decimal', options: null, isActive: false },
      { key: 'sizes', type: 'multiselect', options: ['s', 'm', 'l'], isActive: true },
    ];
    catalog.byOrg.set(owner.organization.id, fields);
    catalog.byOrg.set(other.organization.id, fields);
    const values: [string, Record<string, unknown>][] = [
      ['C-1', { colour: 'red', weight: '2.5', sizes: ['s', 'm'] }],
      ['C-2', { colour: 'blue', weight: '10', sizes: ['l'] }],
      ['C-3', { colour: 'red', weight: 'heavy' }],
      ['C-4', {}],
    ];
    for (const actor of [owner, other]) {
      for (const [sku, doc] of values) {
        const res = await actor
          .post('/api/v1/products')
          .send({ sku, name: `Product ${sku}`, type: 'goods', uomCode: 'pc' })
          .expect(201);
        await t.dataSource.query('UPDATE products SET custom_fields = $1 WHERE id = $2', [
          JSON.stringify(doc),
          (res.body as { id: string }).id,
        ]);
      }
    }
  });
  afterAll(async () => t.close());

  it('filters by cf.<key>: containment for eq/in, typed comparisons otherwise', async () => {
    expect(await skus(q({ field: 'cf.colour', op: 'eq', value: 'red' }))).toEqual(['C-1', 'C-3']);
    expect(await skus(q({ field: 'cf.colour', op: 'notin', value: ['red'] }))).toEqual([
      'C-2',
      'C-4',
    ]);
    expect(await skus(q({ field: 'cf.sizes', op: 'eq', value: 'm' }))).toEqual(['C-1']);
    // Decimals compare as numbers ("10" > "2.5"); a stored non-number is no match, not a 500.
    expect(await skus(q({ field: 'cf.weight', op: 'gt', value: '3' }))).toEqual(['C-2']);
    expect(await skus(q({ field: 'cf.weight', op: 'isnull', value: true }))).toEqual(['C-4']);
    const wrong = await owner.get(
      `/api/v1/products?${q({ field: 'cf.colour', op: 'eq', value: 'green' })}`,
    );
    expect(wrong.status).toBe(422);
    expect((wrong.body as ErrorBody).errors[0]).toMatchObject({
      code: 'invalid_filter',
      meta: { path: 'value' },
    });
    const unknown = await owner.get(
      `/api/v1/products?${q({ field: 'cf.nope', op: 'eq', value: 'x' })}`,
    );
    expect((unknown.body as ErrorBody).errors[0].meta).toEqual({ path: 'field' });
  });

  it('sorts by cf.<key> (numbers as numbers), also in cursor mode', async () => {
    expect(await skus('sort=cf.weight')).toEqual(['C-1', 'C-2', 'C-3', 'C-4']);
    // Text descending: no value first (PostgreSQL's NULLS FIRST), then red, then blue.
    expect(await skus('sort=-cf.colour,name')).toEqual(['C-4', 'C-1', 'C-3', 'C-2']);
    const first = await owner.get('/api/v1/products?sort=cf.weight&size=2').expect(200);
    const page1 = first.body as { items: { sku: string }[]; nextCursor: string };
    expect(page1.items.map((p) => p.sku)).toEqual(['C-1', 'C-2']);
    const second = await owner
      .get(`/api/v1/products?sort=cf.weight&size=2&cursor=${encodeURIComponent(page1.nextCursor)}`)
      .expect(200);
    expect((second.body as { items: { sku: string }[] }).items.map((p) => p.sku)).toEqual([
      'C-3',
      'C-4',
    ]);
    const bad = await owner.get('/api/v1/products?sort=cf.nope');
    expect(bad.status).toBe(422);
    expect((await owner.get('/api/v1/contacts?sort=cf.weight')).status).toBe(422);
  });

  it('applies a saved filter with ?filter= and its sort unless ?sort= is given', async () => {
    const id = await save(
      owner,
      'products',
      { field: 'cf.colour', op: 'eq', value: 'red' },
      '-sku',
    );
    expect(await skus(`savedFilterId=${id}`)).toEqual(['C-3', 'C-1']);
    expect(await skus(`savedFilterId=${id}&sort=sku`)).toEqual(['C-1', 'C-3']);
    expect(
      await skus(`savedFilterId=${id}&${q({ field: 'sku', op: 'eq', value: 'C-1' })}`),
    ).toEqual(['C-1']);
  });

  it('refuses another list’s (422), an unknown or foreign (404) and a stale (422 stale_filter) saved filter', async () => {
    const contacts = await save(owner, 'contacts', null, null);
    const res = await owner.get(`/api/v1/products?savedFilterId=${contacts}`);
    expect(res.status).toBe(422);
    expect((res.body as ErrorBody).errors[0].source).toEqual({ parameter: 'savedFilterId' });
    const mine = await save(owner, 'products', { field: 'sku', op: 'eq', value: 'C-1' }, null);
    expect((await other.get(`/api/v1/products?savedFilterId=${mine}`)).status).toBe(404);
    expect((await owner.get(`/api/v1/products?savedFilterId=${randomUUID()}`)).status).toBe(404);

    const stale = await save(
      owner,
      'products',
      {
        and: [
          { field: 'sku', op: 'startswith', value: 'C' },
          { field: 'cf.gone', op: 'eq', value: 'x' },
        ],
      },
      null,
    );
    const staleRes = await owner.get(`/api/v1/products?savedFilterId=${stale}`);
    expect(staleRes.status).toBe(422);
    expect((staleRes.body as ErrorBody).errors[0]).toMatchObject({
      code: 'stale_filter',
      source: { parameter: 'savedFilterId' },
      meta: { path: 'and[1].field' },
    });
    const staleSort = await save(owner, 'products', null, 'cf.gone');
    expect((await owner.get(`/api/v1/products?savedFilterId=${staleSort}`)).status).toBe(422);
  });
});
