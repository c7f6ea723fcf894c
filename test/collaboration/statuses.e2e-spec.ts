import { randomUUID } from 'node:crypto';
import { withTenant } from '../../src/core/tenancy';
import { addActor, createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Status {
  id: string;
  system: boolean;
  entityType: string | null;
  code: string;
  name: string;
  category: string;
  color: string;
  position: number;
  isDefault: boolean;
  isActive: boolean;
  version: number;
}
interface Envelope {
  errors: {
    code: string;
    source?: { pointer?: string; parameter?: string };
    meta?: Record<string, unknown>;
  }[];
}

const SEEDED = [
  'draft',
  'active',
  'inactive',
  'archived',
  'pending',
  'pending_approval',
  'approved',
  'rejected',
  'completed',
  'cancelled',
];

describe('statuses registry (SPEC-P3 §1)', () => {
  let t: TestApp;
  let owner: Actor; // Owner: statuses:manage
  let member: Actor; // Member: statuses:read only
  let noRole: Actor;
  let other: Actor; // another tenant's owner

  const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0];
  const slug = () => `s_${randomUUID().slice(0, 8)}`;
  const create = async (actor: Actor, body: Record<string, unknown>) => {
    const res = await actor
      .post('/api/v1/statuses')
      .send({ code: slug(), name: 'On hold', category: 'open', ...body });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Status;
  };
  const rows = (orgId: string) =>
    t.dataSource.query<{ code: string; is_default: boolean; entity_type: string | null }[]>(
      'SELECT code, is_default, entity_type FROM statuses WHERE organization_id = $1 ORDER BY code',
      [orgId],
    );
  const systemRows = () =>
    t.dataSource.query<{ code: string; name: string; version: number }[]>(
      'SELECT code, name, version FROM statuses WHERE organization_id IS NULL ORDER BY position',
    );
  const product = async (status?: string) => {
    const res = await owner.post('/api/v1/products').send({
      sku: `ST-${randomUUID().slice(0, 8)}`,
      name: 'Status tea',
      type: 'goods',
      price: '1',
      currencyCode: 'EUR',
      uomCode: 'pc',
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    const created = res.body as { id: string; version: number };
    if (status) {
      await owner.patch(`/api/v1/products/${created.id}`).send({ status }).expect(200);
    }
    return created.id;
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    noRole = await addActor(t, owner.organization, []);
    other = await createTenant(t);
  });
  afterAll(async () => t.close());

  it('seeds the system vocabulary once, readable by every tenant in order', async () => {
    expect((await systemRows()).map((r) => r.code)).toEqual(SEEDED);
    for (const actor of [owner, member, other]) {
      const list = (await actor.get('/api/v1/statuses').expect(200)).body as Status[];
      expect(list.filter((s) => s.system).map((s) => s.code)).toEqual(SEEDED);
    }
    const [draft] = ((await member.get('/api/v1/statuses').expect(200)).body as Status[]).filter(
      (s) => s.code === 'draft',
    );
    expect(draft).toMatchObject({
      system: true,
      entityType: null,
      category: 'open',
      isDefault: true,
      isActive: true,
    });
    expect(draft.color).toMatch(/^#[0-9a-f]{6}$/);
    const one = await other.get(`/api/v1/statuses/${draft.id}`).expect(200);
    expect(one.headers.etag).toBe(`"${draft.version}"`);
  });

  it('creates an organization status, audits it, lists it beside the system ones by position', async () => {
    const code = slug();
    const res = await owner.post('/api/v1/statuses').send({
      code,
      name: '  On   hold ',
      category: 'in_progress',
      color: '#FF8800',
      entityType: 'product',
    });
    expect(res.status).toBe(201);
    const created = res.body as Status;
    expect(created).toMatchObject({
      system: false,
      entityType: 'product',
      code,
      name: 'On hold',
      category: 'in_progress',
      color: '#ff8800',
      isDefault: false,
      isActive: true,
      version: 1,
    });
    expect(created.position).toBeGreaterThan(100); // after the seeded 10..100
    expect(res.headers.location).toBe(`/api/v1/statuses/${created.id}`);
    const audits = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_type = 'status' AND entity_id = $1`,
      [created.id],
    );
    expect(audits).toEqual([{ action: 'create' }]);
    const events = await t.dataSource.query<{ type: string }[]>(
      `SELECT type FROM domain_events WHERE entity_id = $1`,
      [created.id],
    );
    expect(events.map((e) => e.type)).toEqual(['status.created']);

    const forProducts = (await member.get('/api/v1/statuses?entityType=product').expect(200))
      .body as Status[];
    expect(forProducts.map((s) => s.code)).toEqual([...SEEDED, code]);
    const forContacts = (await member.get('/api/v1/statuses?entityType=contact').expect(200))
      .body as Status[];
    expect(forContacts.map((s) => s.code)).toEqual(SEEDED);
    // Another tenant never sees it, in the list or by id.
    const theirs = (await other.get('/api/v1/statuses').expect(200)).body as Status[];
    expect(theirs.map((s) => s.id)).not.toContain(created.id);
    expect(codeOf(await other.get(`/api/v1/statuses/${created.id}`)).code).toBe('not_found');
  });

  it('refuses bad input with 422 and writes nothing', async () => {
    const before = await rows(owner.organization.id);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ code: 'Bad Code' }, 'validation_error', '/code'],
      [{ code: '9lives' }, 'validation_error', '/code'],
      [{ code: 'x'.repeat(51) }, 'validation_error', '/code'],
      [{ code: 'ok\u0000' }, 'validation_error', '/code'],
      [{ code: 'dr\u0430ft' }, 'validation_error', '/code'], // Cyrillic а
      [{ name: '' }, 'validation_error', '/name'],
      [{ name: ' \u200b ' }, 'validation_error', '/name'],
      [{ name: 'x'.repeat(101) }, 'validation_error', '/name'],
      [{ category: 'closed' }, 'validation_error', '/category'],
      [{ color: 'red' }, 'validation_error', '/color'],
      [{ color: '#12345' }, 'validation_error', '/color'],
      [{ position: -1 }, 'validation_error', '/position'],
      [{ position: 1.5 }, 'validation_error', '/position'],
      [{ isDefault: 'yes' }, 'validation_error', '/isDefault'],
      [{ organizationId: other.organization.id }, 'validation_error', '/organizationId'],
      [{ entityType: 'spaceship' }, 'unknown_entity_type', '/entityType'],
      [{ isDefault: true, isActive: false }, 'inactive_default', '/isDefault'],
    ];
    for (const [extra, code, pointer] of cases) {
      const res = await owner
        .post('/api/v1/statuses')
        .send({ code: slug(), name: 'Valid', category: 'open', ...extra });
      const error = codeOf(res);
      expect({
        extra,
        status: res.status,
        code: error?.code,
        pointer: error?.source?.pointer,
      }).toEqual({ extra, status: 422, code, pointer });
    }
    expect(codeOf(await owner.get('/api/v1/statuses?entityType=spaceship'))).toMatchObject({
      code: 'validation_error',
      source: { parameter: 'entityType' },
    });
    expect(await rows(owner.organization.id)).toEqual(before);
  });

  it('refuses a code already applying to the same type (system codes included) with 409', async () => {
    const before = await rows(owner.organization.id);
    const taken = await owner
      .post('/api/v1/statuses')
      .send({ code: 'draft', name: 'Mine', category: 'open', entityType: 'product' });
    expect(taken.status).toBe(409);
    expect(codeOf(taken)).toMatchObject({ code: 'code_taken', source: { pointer: '/code' } });
    const code = slug();
    await create(owner, { code, entityType: 'product' });
    // The same code for every type overlaps the product one; for contacts it does not.
    expect(
      codeOf(await owner.post('/api/v1/statuses').send({ code, name: 'x', category: 'open' })).code,
    ).toBe('code_taken');
    await create(owner, { code, entityType: 'contact' });
    // Another organization may use the code.
    await create(other, { code, entityType: 'product' });
    expect((await rows(owner.organization.id)).length).toBe(before.length + 2);
  });

  it('changes an organization status with If-Match; code and entityType are immutable', async () => {
    const status = await create(owner, { entityType: 'product' });
    const stale = await owner
      .patch(`/api/v1/statuses/${status.id}`)
      .set('If-Match', '"99"')
      .send({ name: 'Later' });
    expect(stale.status).toBe(412);
    const res = await owner
      .patch(`/api/v1/statuses/${status.id}`)
      .set('If-Match', `"${status.version}"`)
      .send({ name: 'Waiting', color: '#00AA00', category: 'done', position: 5 })
      .expect(200);
    expect(res.body).toMatchObject({
      name: 'Waiting',
      color: '#00aa00',
      category: 'done',
      position: 5,
      version: 2,
    });
    for (const body of [{ code: 'renamed' }, { entityType: 'contact' }, { name: '' }]) {
      const refused = await owner.patch(`/api/v1/statuses/${status.id}`).send(body);
      expect(refused.status).toBe(422);
    }
    const [row] = await t.dataSource.query<{ code: string; version: number }[]>(
      'SELECT code, version FROM statuses WHERE id = $1',
      [status.id],
    );
    expect(row).toEqual({ code: status.code, version: 2 });
    // A no-op PATCH is not a change.
    const same = await owner.patch(`/api/v1/statuses/${status.id}`).send({ name: 'Waiting' });
    expect(same.body).toMatchObject({ version: 2 });
  });

  it('keeps system rows read-only: 403 over HTTP, and row-level security refuses tenants', async () => {
    const draft = ((await owner.get('/api/v1/statuses').expect(200)).body as Status[]).find(
      (s) => s.code === 'draft',
    )!;
    const before = await systemRows();
    const patch = await owner.patch(`/api/v1/statuses/${draft.id}`).send({ name: 'Brouillon' });
    expect(patch.status).toBe(403);
    expect(codeOf(patch).code).toBe('system_status_read_only');
    const del = await owner.delete(`/api/v1/statuses/${draft.id}`);
    expect(del.status).toBe(403);
    expect(codeOf(del).code).toBe('system_status_read_only');
    // The second wall: as the tenant role, system rows are visible but not writable.
    await withTenant(t.dataSource, owner.organization.id, async (manager) => {
      const seen = await manager.query<unknown[]>(
        'SELECT 1 FROM statuses WHERE organization_id IS NULL',
      );
      expect(seen).toHaveLength(SEEDED.length);
      expect(
        await manager.query(`UPDATE statuses SET name = 'hacked' WHERE organization_id IS NULL`),
      ).toEqual([[], 0]);
      expect(await manager.query('DELETE FROM statuses WHERE organization_id IS NULL')).toEqual([
        [],
        0,
      ]);
    });
    await expect(
      withTenant(t.dataSource, owner.organization.id, (manager) =>
        manager.query(
          `INSERT INTO statuses (organization_id, code, name, category, color) VALUES (NULL, 'sneaky', 'x', 'open', '#000000')`,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      withTenant(t.dataSource, owner.organization.id, (manager) =>
        manager.query(
          `INSERT INTO statuses (organization_id, code, name, category, color) VALUES ($1, 'sneaky', 'x', 'open', '#000000')`,
          [other.organization.id],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    expect(await systemRows()).toEqual(before);
  });

  it('keeps one default per (organization, entity type), also under concurrent requests', async () => {
    const first = await create(owner, { entityType: 'contact', isDefault: true });
    const second = await create(owner, { entityType: 'contact', isDefault: true });
    const defaults = async () =>
      (await rows(owner.organization.id)).filter(
        (r) => r.is_default && r.entity_type === 'contact',
      );
    expect((await defaults()).map((r) => r.code)).toEqual([second.code]);
    const [firstNow] = await t.dataSource.query<{ version: number }[]>(
      'SELECT version FROM statuses WHERE id = $1',
      [first.id],
    );
    expect(firstNow.version).toBe(2); // its representation changed: a new ETag
    // Eight concurrent writers each make another status the default: every one succeeds in turn
    // and exactly one default remains.
    const racers = await Promise.all(
      Array.from({ length: 4 }, () => create(owner, { entityType: 'contact' })),
    );
    const results = await Promise.all([
      ...racers.map((s) => owner.patch(`/api/v1/statuses/${s.id}`).send({ isDefault: true })),
      ...Array.from({ length: 4 }, () =>
        owner.post('/api/v1/statuses').send({
          code: slug(),
          name: 'Racer',
          category: 'open',
          entityType: 'contact',
          isDefault: true,
        }),
      ),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201, 201, 201, 201]);
    expect(await defaults()).toHaveLength(1);
    // Another type's default and another organization's are separate.
    await create(owner, { entityType: 'product', isDefault: true });
    await create(other, { entityType: 'contact', isDefault: true });
    expect(await defaults()).toHaveLength(1);
    // An inactive status cannot be the default.
    const [current] = await defaults();
    const currentId = (
      await t.dataSource.query<{ id: string }[]>(
        'SELECT id FROM statuses WHERE organization_id = $1 AND code = $2',
        [owner.organization.id, current.code],
      )
    )[0].id;
    const off = await owner.patch(`/api/v1/statuses/${currentId}`).send({ isActive: false });
    expect(codeOf(off).code).toBe('inactive_default');
  });

  it('refuses to delete a status products use (409), deletes it once unused', async () => {
    const discontinued = await create(owner, {
      code: 'discontinued',
      entityType: 'product',
      category: 'cancelled',
    });
    const used = await product('active');
    await owner.patch(`/api/v1/products/${used}`).send({ status: 'discontinued' }).expect(200);
    const refused = await owner.delete(`/api/v1/statuses/${discontinued.id}`);
    expect(refused.status).toBe(409);
    expect(codeOf(refused)).toMatchObject({
      code: 'status_in_use',
      meta: { code: 'discontinued', entityTypes: ['product'] },
    });
    // Deactivating is the way out.
    await owner.patch(`/api/v1/statuses/${discontinued.id}`).send({ isActive: false }).expect(200);
    // Another organization's products do not count, nor do its statuses.
    const theirs = await create(other, { code: 'discontinued', entityType: 'product' });
    await other.delete(`/api/v1/statuses/${theirs.id}`).expect(204);
    // Once no live product carries it, it goes (with If-Match honoured).
    await owner.delete(`/api/v1/products/${used}`).expect(204);
    const current = (await owner.get(`/api/v1/statuses/${discontinued.id}`).expect(200))
      .body as Status;
    await owner
      .delete(`/api/v1/statuses/${discontinued.id}`)
      .set('If-Match', `"${current.version - 1}"`)
      .expect(412);
    await owner
      .delete(`/api/v1/statuses/${discontinued.id}`)
      .set('If-Match', `"${current.version}"`)
      .expect(204);
    expect(
      await t.dataSource.query('SELECT 1 FROM statuses WHERE id = $1', [discontinued.id]),
    ).toEqual([]);
  });

  it('a status for every type is in use when any registered type uses it', async () => {
    const anyType = await create(owner, { code: 'end_of_life', category: 'done' });
    const p = await product('active');
    await owner.patch(`/api/v1/products/${p}`).send({ status: 'discontinued' }).expect(200);
    await owner.patch(`/api/v1/products/${p}`).send({ status: 'end_of_life' }).expect(200);
    const res = await owner.delete(`/api/v1/statuses/${anyType.id}`);
    expect(codeOf(res)).toMatchObject({
      code: 'status_in_use',
      meta: { entityTypes: ['product'] },
    });
  });

  it('answers 403 without the permission and writes nothing', async () => {
    const status = await create(owner, {});
    const before = await rows(owner.organization.id);
    expect((await noRole.get('/api/v1/statuses')).status).toBe(403);
    expect((await noRole.get(`/api/v1/statuses/${status.id}`)).status).toBe(403);
    for (const actor of [member, noRole]) {
      expect(
        (await actor.post('/api/v1/statuses').send({ code: slug(), name: 'x', category: 'open' }))
          .status,
      ).toBe(403);
      expect((await actor.patch(`/api/v1/statuses/${status.id}`).send({ name: 'y' })).status).toBe(
        403,
      );
      expect((await actor.delete(`/api/v1/statuses/${status.id}`)).status).toBe(403);
    }
    expect(await rows(owner.organization.id)).toEqual(before);
  });

  it('answers 404 for another organization’s status and changes nothing of it', async () => {
    const mine = await create(owner, {});
    const before = await rows(owner.organization.id);
    expect((await other.get(`/api/v1/statuses/${mine.id}`)).status).toBe(404);
    expect((await other.patch(`/api/v1/statuses/${mine.id}`).send({ name: 'Theirs' })).status).toBe(
      404,
    );
    expect((await other.delete(`/api/v1/statuses/${mine.id}`)).status).toBe(404);
    expect((await owner.get(`/api/v1/statuses/${randomUUID()}`)).status).toBe(404);
    expect(await rows(owner.organization.id)).toEqual(before);
  });
});
