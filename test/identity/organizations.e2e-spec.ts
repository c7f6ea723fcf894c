import { Actor, addActor, createTenant } from '../support/auth';
import { expectTenantIsolation } from '../support/tenant-isolation';
import { createTestApp, TestApp } from '../support/test-app';

interface Org {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
  path: string;
  depth: number;
  status: string;
  version: number;
}
interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}
const pointers = (body: unknown) => (body as Envelope).errors.map((e) => e.source?.pointer).sort();

describe('organizations', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;
  let seq = 0;
  const code = () => `T-${Date.now().toString(36)}-${++seq}`;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    other = await createTenant(t);
  });
  afterAll(async () => t.close());

  const create = async (actor: Actor, body: Record<string, unknown> = {}) =>
    (
      await actor
        .post('/api/v1/organizations')
        .send({ code: code(), name: 'Child', typeCode: 'branch', ...body })
        .expect(201)
    ).body as Org;

  const auditActions = async (entityId: string) =>
    (
      await t.dataSource.query<{ action: string }[]>(
        'SELECT action FROM audit_logs WHERE entity_id = $1 ORDER BY created_at, id',
        [entityId],
      )
    ).map((r) => r.action);

  it('creates a child under the active organization with path, depth, Location and an audit row', async () => {
    const res = await owner
      .post('/api/v1/organizations')
      .send({
        code: 'EU-1',
        name: 'Europe',
        typeCode: 'division',
        currencyCode: 'EUR',
        timezone: 'Europe/Paris',
      })
      .expect(201);
    const org = res.body as Org;
    expect(res.headers.location).toBe(`/api/v1/organizations/${org.id}`);
    expect(org).toMatchObject({
      code: 'EU-1',
      parentId: owner.organization.id,
      depth: 1,
      status: 'active',
      version: 1,
    });
    expect(org.path).toBe(`${owner.organization.path}${org.id}/`);
    const [row] = await t.dataSource.query<{ currency_code: string; timezone: string }[]>(
      'SELECT currency_code, timezone FROM organizations WHERE id = $1',
      [org.id],
    );
    expect(row).toEqual({ currency_code: 'EUR', timezone: 'Europe/Paris' });
    expect(await auditActions(org.id)).toEqual(['create']);
  });

  it('422 with pointers, nothing written; 409 on a duplicate code (case-insensitive)', async () => {
    const before = (
      await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM organizations')
    )[0].n;
    const bad = await owner
      .post('/api/v1/organizations')
      .send({
        code: '!',
        name: '',
        typeCode: 'branch',
        currencyCode: 'eur',
        timezone: 'Mars/Olympus',
      })
      .expect(422);
    expect(pointers(bad.body)).toEqual(['/code', '/currencyCode', '/name', '/timezone']);
    const unknownType = await owner
      .post('/api/v1/organizations')
      .send({ code: code(), name: 'x', typeCode: 'planet' })
      .expect(422);
    expect(pointers(unknownType.body)).toEqual(['/typeCode']);
    expect(
      (await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM organizations'))[0]
        .n,
    ).toBe(before);
    const first = await create(owner);
    const dup = await owner
      .post('/api/v1/organizations')
      .send({ code: first.code.toLowerCase(), name: 'x', typeCode: 'branch' })
      .expect(409);
    expect(pointers(dup.body)).toEqual(['/code']);
  });

  it('401 without credentials, 403 without the permission', async () => {
    await t.http.get('/api/v1/organizations').expect(401);
    const viewer = await addActor(t, owner.organization, ['Viewer']);
    await viewer.get('/api/v1/organizations').expect(200);
    await viewer
      .post('/api/v1/organizations')
      .send({ code: code(), name: 'x', typeCode: 'branch' })
      .expect(403);
    const admin = await addActor(t, owner.organization, ['Admin']);
    await admin
      .post('/api/v1/organizations')
      .send({ code: code(), name: 'x', typeCode: 'branch' })
      .expect(403);
  });

  it('another tenant gets 404 on read, update, archive, move, children and never sees it in lists', async () => {
    await expectTenantIsolation(
      {
        create: async (a) => (await create(a)).id,
        itemUrl: (id) => `/api/v1/organizations/${id}`,
        listUrl: '/api/v1/organizations?size=100',
        patch: { name: 'stolen' },
        extraPosts: (id) => [
          `/api/v1/organizations/${id}/archive`,
          `/api/v1/organizations/${id}/restore`,
        ],
      },
      owner,
      other,
    );
    const mine = await create(owner);
    await other.get(`/api/v1/organizations/${mine.id}/children`).expect(404);
    await other
      .post(`/api/v1/organizations/${mine.id}/move`)
      .send({ parentId: other.organization.id })
      .expect(404);
    // Nor can the owner move its row under the other tenant.
    await owner
      .post(`/api/v1/organizations/${mine.id}/move`)
      .send({ parentId: other.organization.id })
      .expect(422);
  });

  it('PATCH honours If-Match and audits the diff', async () => {
    const org = await create(owner);
    await owner
      .patch(`/api/v1/organizations/${org.id}`)
      .set('If-Match', '"7"')
      .send({ name: 'Nope' })
      .expect(412);
    const res = await owner
      .patch(`/api/v1/organizations/${org.id}`)
      .set('If-Match', '"1"')
      .send({ name: 'Renamed' })
      .expect(200);
    expect(res.body).toMatchObject({ name: 'Renamed', version: 2 });
    expect(res.headers.etag).toBe('"2"');
    const [audit] = await t.dataSource.query<{ changes: unknown }[]>(
      `SELECT changes FROM audit_logs WHERE entity_id = $1 AND action = 'update'`,
      [org.id],
    );
    expect(audit.changes).toEqual({ name: { from: 'Child', to: 'Renamed' } });
    await owner.patch(`/api/v1/organizations/${org.id}`).send({ code: '' }).expect(422);
  });

  it('archive and restore; the active organization cannot archive itself', async () => {
    const org = await create(owner);
    const archived = await owner.post(`/api/v1/organizations/${org.id}/archive`).expect(200);
    expect(archived.body).toMatchObject({ status: 'archived' });
    expect((archived.body as { archivedAt: string }).archivedAt).toEqual(expect.any(String));
    await owner.get('/api/v1/organizations?status=archived').expect(200);
    const restored = await owner.post(`/api/v1/organizations/${org.id}/restore`).expect(200);
    expect(restored.body).toMatchObject({ status: 'active', archivedAt: null });
    const self = await owner
      .post(`/api/v1/organizations/${owner.organization.id}/archive`)
      .expect(422);
    expect((self.body as Envelope).errors[0].code).toBe('cannot_archive_active_organization');
    expect(await auditActions(org.id)).toEqual(['create', 'archive', 'restore']);
  });

  it('tree: children, descendants, ancestors; move re-roots the subtree and refuses cycles', async () => {
    const a = await create(owner, { name: 'A' });
    const b = await create(owner, { name: 'B', parentId: a.id });
    const c = await create(owner, { name: 'C', parentId: b.id });
    const d = await create(owner, { name: 'D' });
    expect(
      ((await owner.get(`/api/v1/organizations/${a.id}/children`).expect(200)).body as Org[]).map(
        (o) => o.id,
      ),
    ).toEqual([b.id]);
    expect(
      (
        (await owner.get(`/api/v1/organizations/${a.id}/descendants`).expect(200)).body as Org[]
      ).map((o) => o.id),
    ).toEqual([b.id, c.id]);
    expect(
      ((await owner.get(`/api/v1/organizations/${c.id}/ancestors`).expect(200)).body as Org[]).map(
        (o) => o.id,
      ),
    ).toEqual([owner.organization.id, a.id, b.id]);

    const cycle = await owner
      .post(`/api/v1/organizations/${a.id}/move`)
      .send({ parentId: c.id })
      .expect(422);
    expect((cycle.body as Envelope).errors[0].code).toBe('cycle_detected');
    await owner.post(`/api/v1/organizations/${a.id}/move`).send({ parentId: a.id }).expect(422);

    const moved = (
      await owner.post(`/api/v1/organizations/${b.id}/move`).send({ parentId: d.id }).expect(200)
    ).body as Org;
    expect(moved).toMatchObject({ parentId: d.id, depth: 2, path: `${d.path}${b.id}/` });
    const movedC = (await owner.get(`/api/v1/organizations/${c.id}`).expect(200)).body as Org;
    expect(movedC).toMatchObject({ depth: 3, path: `${d.path}${b.id}/${c.id}/` });
    expect(await auditActions(b.id)).toEqual(['create', 'move']);
  });

  it('lists with filters and sort; unknown parameters are 422', async () => {
    const parent = await create(owner, { name: 'Filter parent' });
    await create(owner, { name: 'Zeta', parentId: parent.id, typeCode: 'team' });
    await create(owner, { name: 'Alpha', parentId: parent.id, typeCode: 'team' });
    const res = await owner
      .get(`/api/v1/organizations?parentId=${parent.id}&sort=name`)
      .expect(200);
    expect(res.body).toMatchObject({ total: 2, page: 1, pages: 1 });
    expect((res.body as { items: Org[] }).items.map((o) => o.name)).toEqual(['Alpha', 'Zeta']);
    await owner.get('/api/v1/organizations?q=Zeta').expect(200);
    await owner.get('/api/v1/organizations?color=red').expect(422);
    await owner.get('/api/v1/organization-types').expect(200);
  });

  /** Issue 14, finding 9, on organizations: no-op PATCH keeps the version; null is a 422. */
  it('PATCH that changes nothing: 200, same version, no audit row; null on a field is 422', async () => {
    const org = await create(owner, { name: 'Stable' });
    const state = async () =>
      (
        await t.dataSource.query<{ version: number; name: string; updated_at: Date }[]>(
          'SELECT version, name, updated_at FROM organizations WHERE id = $1',
          [org.id],
        )
      )[0];
    const before = await state();
    for (const body of [{}, { name: 'Stable' }, { name: '  Stable ' }, { code: org.code }]) {
      const res = await owner.patch(`/api/v1/organizations/${org.id}`).send(body).expect(200);
      expect(res.body).toMatchObject({ version: 1, name: 'Stable' });
    }
    for (const field of ['name', 'code', 'typeCode', 'currencyCode', 'timezone', 'language']) {
      const res = await owner
        .patch(`/api/v1/organizations/${org.id}`)
        .send({ [field]: null })
        .expect(422);
      expect(pointers(res.body)).toEqual([`/${field}`]);
    }
    expect(await state()).toEqual(before);
    expect(await auditActions(org.id)).toEqual(['create']);

    const renamed = await owner
      .patch(`/api/v1/organizations/${org.id}`)
      .send({ name: 'Renamed', timezone: 'UTC' })
      .expect(200);
    expect(renamed.body).toMatchObject({ version: 2, name: 'Renamed' });
    const [audit] = await t.dataSource.query<{ changes: Record<string, unknown> }[]>(
      `SELECT changes FROM audit_logs WHERE entity_id = $1 AND action = 'update'`,
      [org.id],
    );
    expect(audit.changes).toEqual({ name: { from: 'Stable', to: 'Renamed' } });
  });

  it('?q= folds accents and Unicode forms on names and ignores surrounding spaces', async () => {
    const org = await create(owner, { name: 'Filiale Crème' });
    const ids = async (q: string) =>
      (
        (await owner.get(`/api/v1/organizations?q=${encodeURIComponent(q)}`).expect(200)).body as {
          items: { id: string }[];
        }
      ).items.map((o) => o.id);
    expect(await ids('creme')).toContain(org.id);
    expect(await ids('  Cre\u0300me  ')).toContain(org.id);
    expect(await ids(`  ${org.code.toLowerCase()} `)).toEqual([org.id]);
  });
});
