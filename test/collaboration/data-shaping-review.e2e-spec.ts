import { createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Findings of the attacker review of issue 18 (2026-12-01), each kept as a regression: impossible
 * datetimes in filters, a saved view's own sort naming a deleted custom field, a JSON-escaped
 * `cf.` key, blank text satisfying a required custom field, a tag usable on no type.
 */
interface Envelope {
  errors: { code: string; source?: { parameter?: string; pointer?: string } }[];
}

describe('data shaping: review findings', () => {
  let t: TestApp;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
  }, 60_000);
  afterAll(() => t?.close());

  const filter = (tree: unknown) => `filter=${encodeURIComponent(JSON.stringify(tree))}`;
  const codeOf = (body: unknown) => (body as Envelope).errors[0].code;

  it('refuses impossible days on datetime fields (they rolled over to the next month)', async () => {
    for (const value of ['2026-02-30', '2026-04-31T10:00:00Z', '2026-02-31T10:00']) {
      const res = await owner.get(
        `/api/v1/products?${filter({ field: 'createdAt', op: 'gt', value })}`,
      );
      expect(res.status).toBe(422);
      expect(codeOf(res.body)).toBe('invalid_filter');
    }
    const saved = await owner.post('/api/v1/saved-filters').send({
      resource: 'products',
      name: 'Impossible',
      filter: { field: 'createdAt', op: 'gt', value: '2026-02-30' },
    });
    expect(saved.status).toBe(422);
  });

  it('a saved view sorted by a custom field deleted since answers stale_filter', async () => {
    const field = await owner
      .post('/api/v1/custom-fields')
      .send({ entityType: 'product', key: 'grade', label: 'Grade', type: 'number' });
    expect(field.status).toBe(201);
    const view = await owner
      .post('/api/v1/saved-filters')
      .send({ resource: 'products', name: 'By grade', sort: '-cf.grade' });
    expect(view.status).toBe(201);
    const { id: fieldId, version } = field.body as { id: string; version: number };
    await owner
      .delete(`/api/v1/custom-fields/${fieldId}`)
      .set('If-Match', `"${version}"`)
      .expect(204);
    const res = await owner.get(
      `/api/v1/products?savedFilterId=${(view.body as { id: string }).id}`,
    );
    expect(res.status).toBe(422);
    expect(codeOf(res.body)).toBe('stale_filter');
    // The caller's own sort on a missing field stays a plain 422 on their parameter.
    const own = await owner.get('/api/v1/products?sort=cf.grade');
    expect(own.status).toBe(422);
    expect((own.body as Envelope).errors[0]).toMatchObject({
      code: 'validation_error',
      source: { parameter: 'sort' },
    });
  });

  it('a JSON-escaped cf. key is the same field', async () => {
    await owner
      .post('/api/v1/custom-fields')
      .send({ entityType: 'contact', key: 'region', label: 'Region', type: 'text' })
      .expect(201);
    const escaped = encodeURIComponent('{"field":"\\u0063f.region","op":"eq","value":"x"}');
    const res = await owner.get(`/api/v1/contacts?filter=${escaped}`);
    expect(res.status).toBe(200);
  });

  it('blank text does not satisfy a required text custom field; nothing is written', async () => {
    await owner
      .post('/api/v1/custom-fields')
      .send({ entityType: 'product', key: 'lot', label: 'Lot', type: 'text', required: true })
      .expect(201);
    const before = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM products WHERE organization_id = $1',
      [owner.organization.id],
    );
    const res = await owner.post('/api/v1/products').send({
      sku: 'LOT-1',
      name: 'Lot test',
      type: 'goods',
      uomCode: 'pc',
      customFields: { lot: '  \u200B ' },
    });
    expect(res.status).toBe(422);
    expect((res.body as Envelope).errors[0].source?.pointer).toBe('/customFields/lot');
    const after = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM products WHERE organization_id = $1',
      [owner.organization.id],
    );
    expect(after).toEqual(before);
  });

  it('a tag limited to no entity type at all is refused', async () => {
    const res = await owner.post('/api/v1/tags').send({ name: 'Nowhere', entityTypes: [] });
    expect(res.status).toBe(422);
  });
});
