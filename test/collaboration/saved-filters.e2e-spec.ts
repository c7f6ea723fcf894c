import { randomUUID } from 'node:crypto';
import { addActor, createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface SavedFilter {
  id: string;
  ownerUserId: string;
  mine: boolean;
  resource: string;
  name: string;
  filter: Record<string, unknown> | null;
  sort: string | null;
  columns: string[];
  visibility: string;
  isDefault: boolean;
  version: number;
}
interface Envelope {
  errors: {
    code: string;
    source?: { pointer?: string; parameter?: string };
    meta?: Record<string, unknown>;
  }[];
}
interface ProductPage {
  items: { id: string; sku: string; price: string | null; status: string }[];
  total: number;
}

describe('saved filters (SPEC-P3 §6)', () => {
  let t: TestApp;
  let owner: Actor; // Owner: saved-filters:read|create|share
  let member: Actor; // Member: read + create, no share
  let colleague: Actor; // another Member of the same organization
  let noRole: Actor;
  let other: Actor; // another tenant's owner

  const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0];
  const save = async (actor: Actor, body: Record<string, unknown>) => {
    const res = await actor
      .post('/api/v1/saved-filters')
      .send({ resource: 'products', name: 'My view', ...body });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as SavedFilter;
  };
  const count = async (orgId: string) =>
    (
      await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM saved_filters WHERE organization_id = $1',
        [orgId],
      )
    )[0].n;
  const product = async (actor: Actor, sku: string, price: string, status?: string) => {
    const res = await actor.post('/api/v1/products').send({
      sku,
      name: `Tea ${sku}`,
      type: 'goods',
      price,
      currencyCode: 'EUR',
      uomCode: 'pc',
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    const id = (res.body as { id: string }).id;
    if (status) await actor.patch(`/api/v1/products/${id}`).send({ status }).expect(200);
    return id;
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    colleague = await addActor(t, owner.organization, ['Member']);
    noRole = await addActor(t, owner.organization, []);
    other = await createTenant(t);
  });
  afterAll(async () => t.close());

  it('saves a private filter as written, audits it, and shows it to its owner only', async () => {
    const filter = {
      and: [
        { field: 'status', op: 'eq', value: 'active' },
        {
          or: [
            { field: 'price', op: 'gte', value: '10' },
            { field: 'name', op: 'icontains', value: 'tea' },
          ],
        },
        { field: 'createdAt', op: 'gte', value: '-7d' },
      ],
    };
    const res = await member.post('/api/v1/saved-filters').send({
      resource: 'products',
      name: '  Active   teas ',
      filter,
      sort: '-price,name',
      columns: ['sku', 'name', 'price'],
    });
    expect(res.status).toBe(201);
    const created = res.body as SavedFilter;
    expect(created).toMatchObject({
      ownerUserId: member.user.id,
      mine: true,
      resource: 'products',
      name: 'Active teas',
      filter,
      sort: '-price,name',
      columns: ['sku', 'name', 'price'],
      visibility: 'private',
      isDefault: false,
      version: 1,
    });
    expect(res.headers.location).toBe(`/api/v1/saved-filters/${created.id}`);
    const [row] = await t.dataSource.query<{ filter: unknown; organization_id: string }[]>(
      'SELECT filter, organization_id FROM saved_filters WHERE id = $1',
      [created.id],
    );
    expect(row).toEqual({ filter, organization_id: owner.organization.id });
    const audits = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_type = 'saved_filter' AND entity_id = $1`,
      [created.id],
    );
    expect(audits).toEqual([{ action: 'create' }]);

    const mine = (await member.get('/api/v1/saved-filters?resource=products').expect(200))
      .body as SavedFilter[];
    expect(mine.map((f) => f.id)).toContain(created.id);
    const theirs = (await colleague.get('/api/v1/saved-filters').expect(200)).body as SavedFilter[];
    expect(theirs.map((f) => f.id)).not.toContain(created.id);
    for (const stranger of [colleague, owner, other]) {
      const res404 = await stranger.get(`/api/v1/saved-filters/${created.id}`);
      expect(res404.status).toBe(404);
      expect(codeOf(res404).code).toBe('not_found');
    }
    // Another person's private filter cannot be used on a list either.
    expect((await colleague.get(`/api/v1/products?savedFilterId=${created.id}`)).status).toBe(404);
  });

  it('shares only with saved-filters:share; shared filters are visible, usable, but owner-only to change', async () => {
    const before = await count(owner.organization.id);
    const refused = await member
      .post('/api/v1/saved-filters')
      .send({ resource: 'products', name: 'For all', visibility: 'shared' });
    expect(refused.status).toBe(403);
    expect(codeOf(refused).code).toBe('share_not_allowed');
    expect(await count(owner.organization.id)).toBe(before);

    const own = await save(member, { name: 'Mine' });
    const toShared = await member
      .patch(`/api/v1/saved-filters/${own.id}`)
      .send({ visibility: 'shared' });
    expect(codeOf(toShared).code).toBe('share_not_allowed');

    const shared = await save(owner, {
      name: 'Team view',
      visibility: 'shared',
      filter: { field: 'status', op: 'eq', value: 'active' },
    });
    for (const reader of [member, colleague]) {
      const list = (await reader.get('/api/v1/saved-filters').expect(200)).body as SavedFilter[];
      expect(list.find((f) => f.id === shared.id)).toMatchObject({
        mine: false,
        visibility: 'shared',
      });
      await reader.get(`/api/v1/saved-filters/${shared.id}`).expect(200);
      await reader.get(`/api/v1/products?savedFilterId=${shared.id}`).expect(200);
    }
    const patch = await colleague
      .patch(`/api/v1/saved-filters/${shared.id}`)
      .send({ name: 'Hijack' });
    expect(patch.status).toBe(403);
    expect(codeOf(patch).code).toBe('not_owner');
    const del = await colleague.delete(`/api/v1/saved-filters/${shared.id}`);
    expect(codeOf(del).code).toBe('not_owner');
    // Another organization sees none of it.
    expect((await other.get(`/api/v1/saved-filters/${shared.id}`)).status).toBe(404);
    expect(
      (await other.patch(`/api/v1/saved-filters/${shared.id}`).send({ name: 'x' })).status,
    ).toBe(404);
    expect((await other.delete(`/api/v1/saved-filters/${shared.id}`)).status).toBe(404);
    expect((await other.get(`/api/v1/products?savedFilterId=${shared.id}`)).status).toBe(404);
    const theirList = (await other.get('/api/v1/saved-filters').expect(200)).body as SavedFilter[];
    expect(theirList).toEqual([]);
    const [row] = await t.dataSource.query<{ name: string; version: number }[]>(
      'SELECT name, version FROM saved_filters WHERE id = $1',
      [shared.id],
    );
    expect(row).toEqual({ name: 'Team view', version: 1 });
  });

  it('refuses filters, sorts and columns the list does not allow (422) and writes nothing', async () => {
    const before = await count(owner.organization.id);
    const deep = {
      and: [{ and: [{ and: [{ and: [{ and: [{ field: 'sku', op: 'eq', value: 'x' }] }] }] }] }],
    };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ resource: 'spaceships' }, 'unknown_resource', '/resource'],
      [{ resource: 'Products!' }, 'validation_error', '/resource'],
      [{ name: '' }, 'validation_error', '/name'],
      [{ name: '\u200b \u200d' }, 'validation_error', '/name'],
      [{ name: 'x'.repeat(101) }, 'validation_error', '/name'],
      [{ filter: { field: 'weight', op: 'eq', value: '1' } }, 'invalid_saved_filter', '/filter'],
      [
        { filter: { field: 'price', op: 'contains', value: '1' } },
        'invalid_saved_filter',
        '/filter',
      ],
      [{ filter: { field: 'price', op: 'gte', value: 'ten' } }, 'invalid_saved_filter', '/filter'],
      [{ filter: { field: 'status', op: 'eq', value: 'gone' } }, 'invalid_saved_filter', '/filter'],
      [
        { filter: { field: 'sku', op: 'eq', value: "x'; DROP TABLE products;--", extra: 1 } },
        'invalid_saved_filter',
        '/filter',
      ],
      [{ filter: deep }, 'invalid_saved_filter', '/filter'],
      [
        {
          filter: {
            or: Array.from({ length: 51 }, () => ({ field: 'sku', op: 'eq', value: 'x' })),
          },
        },
        'invalid_saved_filter',
        '/filter',
      ],
      [
        {
          filter: {
            field: 'sku',
            op: 'in',
            value: ['x'.repeat(400)].concat(Array.from({ length: 30 }, () => 'y'.repeat(400))),
          },
        },
        'invalid_saved_filter',
        '/filter',
      ],
      [{ filter: 'status=active' }, 'validation_error', '/filter'],
      [{ filter: [] }, 'validation_error', '/filter'],
      [{ sort: 'weight' }, 'invalid_saved_filter', '/sort'],
      [{ sort: 'name,name' }, 'invalid_saved_filter', '/sort'],
      [{ sort: '' }, 'validation_error', '/sort'],
      [{ columns: ['sku', 'weight'] }, 'invalid_saved_filter', '/columns'],
      [{ columns: ['sku', 'sku'] }, 'validation_error', '/columns'],
      [{ columns: Array.from({ length: 51 }, (_, i) => `c${i}`) }, 'validation_error', '/columns'],
      [{ visibility: 'public' }, 'validation_error', '/visibility'],
      [{ ownerUserId: colleague.user.id }, 'validation_error', '/ownerUserId'],
      [{ organizationId: other.organization.id }, 'validation_error', '/organizationId'],
    ];
    for (const [extra, code, pointer] of cases) {
      const res = await member
        .post('/api/v1/saved-filters')
        .send({ resource: 'products', name: 'Bad', ...extra });
      const error = codeOf(res);
      expect({
        extra,
        status: res.status,
        code: error?.code,
        pointer: error?.source?.pointer,
      }).toEqual({
        extra,
        status: 422,
        code,
        pointer,
      });
    }
    const pathOf = codeOf(
      await member.post('/api/v1/saved-filters').send({
        resource: 'products',
        name: 'Bad',
        filter: {
          and: [
            { field: 'sku', op: 'eq', value: 'a' },
            { field: 'nope', op: 'eq', value: 1 },
          ],
        },
      }),
    );
    expect(pathOf.meta).toEqual({ path: 'and[1].field' });
    // NUL bytes never reach the database.
    const nul = await member
      .post('/api/v1/saved-filters')
      .send({ resource: 'products', name: 'a\u0000b' });
    expect(nul.status).toBe(422);
    expect(await count(owner.organization.id)).toBe(before);
  });

  it('changes an own filter with If-Match, re-checking what changed', async () => {
    const view = await save(member, { filter: { field: 'sku', op: 'startswith', value: 'A' } });
    await member
      .patch(`/api/v1/saved-filters/${view.id}`)
      .set('If-Match', '"7"')
      .send({ name: 'Later' })
      .expect(412);
    const changed = await member
      .patch(`/api/v1/saved-filters/${view.id}`)
      .set('If-Match', `"${view.version}"`)
      .send({ name: 'A-teas', sort: 'sku', columns: ['sku'] })
      .expect(200);
    expect(changed.body).toMatchObject({
      name: 'A-teas',
      sort: 'sku',
      columns: ['sku'],
      version: 2,
    });
    const bad = await member
      .patch(`/api/v1/saved-filters/${view.id}`)
      .send({ filter: { field: 'weight', op: 'eq', value: 1 } });
    expect(codeOf(bad)).toMatchObject({
      code: 'invalid_saved_filter',
      source: { pointer: '/filter' },
    });
    const immutable = await member
      .patch(`/api/v1/saved-filters/${view.id}`)
      .send({ resource: 'contacts' });
    expect(immutable.status).toBe(422);
    const [row] = await t.dataSource.query<{ version: number; resource: string }[]>(
      'SELECT version, resource FROM saved_filters WHERE id = $1',
      [view.id],
    );
    expect(row).toEqual({ version: 2, resource: 'products' });
    await member.delete(`/api/v1/saved-filters/${view.id}`).set('If-Match', '"1"').expect(412);
    await member.delete(`/api/v1/saved-filters/${view.id}`).set('If-Match', '"2"').expect(204);
    expect(
      await t.dataSource.query('SELECT 1 FROM saved_filters WHERE id = $1', [view.id]),
    ).toEqual([]);
  });

  it('keeps one default per (owner, list), also under concurrent requests', async () => {
    const defaults = async (userId: string) =>
      (
        await t.dataSource.query<{ id: string }[]>(
          `SELECT id FROM saved_filters WHERE owner_user_id = $1 AND resource = 'products' AND is_default`,
          [userId],
        )
      ).map((r) => r.id);
    const first = await save(colleague, { name: 'D1', isDefault: true });
    const second = await save(colleague, { name: 'D2', isDefault: true });
    expect(await defaults(colleague.user.id)).toEqual([second.id]);
    expect(
      (await colleague.get(`/api/v1/saved-filters/${first.id}`).expect(200)).body,
    ).toMatchObject({
      isDefault: false,
      version: 2,
    });
    const others = await Promise.all(
      Array.from({ length: 3 }, (_, i) => save(colleague, { name: `R${i}` })),
    );
    const results = await Promise.all([
      ...others.map((f) =>
        colleague.patch(`/api/v1/saved-filters/${f.id}`).send({ isDefault: true }),
      ),
      ...Array.from({ length: 3 }, (_, i) =>
        colleague
          .post('/api/v1/saved-filters')
          .send({ resource: 'products', name: `N${i}`, isDefault: true }),
      ),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 201, 201, 201]);
    expect(await defaults(colleague.user.id)).toHaveLength(1);
    // Someone else's default of the same list is theirs.
    await save(member, { name: 'Member default', isDefault: true });
    expect(await defaults(colleague.user.id)).toHaveLength(1);
    expect(await defaults(member.user.id)).toHaveLength(1);
  });

  it('?savedFilterId= on the product list returns what the saved filter selects, in its sort', async () => {
    const tag = randomUUID().slice(0, 6).toUpperCase();
    const cheap = await product(owner, `${tag}-1`, '5', 'active');
    const dear = await product(owner, `${tag}-2`, '25', 'active');
    const dearer = await product(owner, `${tag}-3`, '40', 'active');
    await product(owner, `${tag}-4`, '50'); // draft
    await product(other, `${tag}-5`, '60', 'active'); // another tenant's
    const view = await save(member, {
      filter: {
        and: [
          { field: 'sku', op: 'startswith', value: tag },
          { field: 'status', op: 'eq', value: 'active' },
          { field: 'price', op: 'gte', value: '10' },
        ],
      },
      sort: '-price',
    });
    const page = (await member.get(`/api/v1/products?savedFilterId=${view.id}`).expect(200))
      .body as ProductPage;
    expect(page.items.map((p) => p.id)).toEqual([dearer, dear]);
    expect(page.total).toBe(2);
    // ?sort= wins over the saved sort; ?filter= narrows the saved filter.
    const sorted = (
      await member.get(`/api/v1/products?savedFilterId=${view.id}&sort=price`).expect(200)
    ).body as ProductPage;
    expect(sorted.items.map((p) => p.id)).toEqual([dear, dearer]);
    const narrowed = (
      await member
        .get(`/api/v1/products?savedFilterId=${view.id}`)
        .query({ filter: JSON.stringify({ field: 'price', op: 'lt', value: '30' }) })
        .expect(200)
    ).body as ProductPage;
    expect(narrowed.items.map((p) => p.id)).toEqual([dear]);
    expect(narrowed.total).toBe(1);
    expect(page.items.map((p) => p.id)).not.toContain(cheap);
    // A view of another list is refused on this one.
    const contactsView = await save(member, { resource: 'contacts', name: 'Contacts' });
    const wrong = await member.get(`/api/v1/products?savedFilterId=${contactsView.id}`);
    expect(wrong.status).toBe(422);
    expect(codeOf(wrong).source?.parameter).toBe('savedFilterId');
    expect((await member.get(`/api/v1/products?savedFilterId=${randomUUID()}`)).status).toBe(404);
    expect((await member.get('/api/v1/products?savedFilterId=not-a-uuid')).status).toBe(422);
  });

  it('a view naming a field the list no longer allows answers 422 stale_filter and stays readable', async () => {
    const view = await save(member, {
      filter: {
        and: [
          { field: 'status', op: 'eq', value: 'active' },
          { field: 'sku', op: 'eq', value: 'X' },
        ],
      },
    });
    // The list drops `sku` from its allow-list (a field removed or renamed since the view was
    // saved): simulated by the stored view naming a field the list does not know.
    await t.dataSource.query(
      `UPDATE saved_filters SET filter = jsonb_set(filter, '{and,1,field}', '"legacySku"') WHERE id = $1`,
      [view.id],
    );
    const res = await member.get(`/api/v1/products?savedFilterId=${view.id}`);
    expect(res.status).toBe(422);
    expect(codeOf(res)).toMatchObject({
      code: 'stale_filter',
      source: { parameter: 'savedFilterId' },
      meta: { path: 'and[1].field' },
    });
    const stored = (await member.get(`/api/v1/saved-filters/${view.id}`).expect(200))
      .body as SavedFilter;
    expect(stored.filter).toEqual({
      and: [
        { field: 'status', op: 'eq', value: 'active' },
        { field: 'legacySku', op: 'eq', value: 'X' },
      ],
    });
    // Its owner repairs it.
    await member
      .patch(`/api/v1/saved-filters/${view.id}`)
      .send({ filter: { field: 'status', op: 'eq', value: 'active' } })
      .expect(200);
    await member.get(`/api/v1/products?savedFilterId=${view.id}`).expect(200);
  });

  it('answers 403 without the permission and writes nothing', async () => {
    const view = await save(member, {});
    const before = await count(owner.organization.id);
    expect((await noRole.get('/api/v1/saved-filters')).status).toBe(403);
    expect((await noRole.get(`/api/v1/saved-filters/${view.id}`)).status).toBe(403);
    expect(
      (await noRole.post('/api/v1/saved-filters').send({ resource: 'products', name: 'x' })).status,
    ).toBe(403);
    expect(
      (await noRole.patch(`/api/v1/saved-filters/${view.id}`).send({ name: 'y' })).status,
    ).toBe(403);
    expect((await noRole.delete(`/api/v1/saved-filters/${view.id}`)).status).toBe(403);
    expect(await count(owner.organization.id)).toBe(before);
  });

  it('refuses API keys: saved filters belong to people', async () => {
    const role = (
      await owner
        .post('/api/v1/roles')
        .send({
          name: `K-${randomUUID().slice(0, 6)}`,
          permissions: ['saved-filters:read', 'saved-filters:create', 'products:read'],
        })
        .expect(201)
    ).body as { id: string };
    const key = (
      await owner.post('/api/v1/api-keys').send({ name: 'robot', roleId: role.id }).expect(201)
    ).body as { key: string };
    const res = await t.http.get('/api/v1/saved-filters').set('X-API-Key', key.key);
    expect(res.status).toBe(403);
    expect(codeOf(res).code).toBe('user_required');
    // An API key may still use a shared view on a list, never a private one.
    const shared = await save(owner, { name: 'Shared for robots', visibility: 'shared' });
    const priv = await save(owner, { name: 'Private' });
    await t.http
      .get(`/api/v1/products?savedFilterId=${shared.id}`)
      .set('X-API-Key', key.key)
      .expect(200);
    expect(
      (await t.http.get(`/api/v1/products?savedFilterId=${priv.id}`).set('X-API-Key', key.key))
        .status,
    ).toBe(404);
  });
});
