import { randomUUID } from 'node:crypto';
import { Clock } from '../../src/core/clock';
import { actorFor, addActor, createTenant, login, type Actor } from '../support/auth';
import { addMembership } from '../factories/identity.factory';
import { createTestApp, TestApp } from '../support/test-app';

interface Activity {
  id: string;
  entityType: string;
  entityId: string;
  type: string;
  summary: string;
  dueDate: string;
  state: string;
  assigneeUserId: string | null;
  doneAt: string | null;
  doneBy: string | null;
  version: number;
}
interface Envelope {
  errors: { code: string; source?: { pointer?: string }; meta?: Record<string, unknown> }[];
}

const DAY = 86_400_000;
const dateIn = (now: Date, timeZone: string, days = 0) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(now.getTime() + days * DAY));

describe('activities (SPEC-P3 §3)', () => {
  let t: TestApp;
  let clock: Clock;
  let owner: Actor;
  let member: Actor;
  let viewer: Actor;
  let noRole: Actor;
  let other: Actor;

  const product = async (actor = owner) => {
    const res = await actor.post('/api/v1/products').send({
      sku: `A-${randomUUID().slice(0, 8)}`,
      name: 'Scheduled tea',
      type: 'goods',
      price: '1',
      currencyCode: 'EUR',
      uomCode: 'pc',
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  };
  const schedule = async (actor: Actor, body: Record<string, unknown>) => {
    const res = await actor
      .post('/api/v1/activities')
      .send({ type: 'call', summary: 'Call', ...body });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Activity;
  };
  const countOn = async (entityId: string) =>
    (
      await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM activities WHERE entity_id = $1',
        [entityId],
      )
    )[0].n;
  const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0];

  beforeAll(async () => {
    t = await createTestApp();
    clock = t.app.get(Clock);
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    noRole = await addActor(t, owner.organization, []);
    other = await createTenant(t);
  });
  afterEach(() => clock.reset());
  afterAll(async () => t.close());

  it('schedules, lists, changes, completes and deletes an activity, auditing each write', async () => {
    const target = await product();
    const today = dateIn(clock.now(), 'UTC');
    const res = await member
      .post('/api/v1/activities')
      .send({
        entityType: 'product',
        entityId: target,
        type: 'todo',
        summary: 'Check stock',
        note: 'both shelves',
        dueDate: today,
        assigneeUserId: member.user.id,
      })
      .expect(201);
    const created = res.body as Activity;
    expect(created).toMatchObject({
      type: 'todo',
      summary: 'Check stock',
      dueDate: today,
      state: 'today',
      assigneeUserId: member.user.id,
      doneAt: null,
      version: 1,
    });
    expect(res.headers.location).toBe(`/api/v1/activities/${created.id}`);
    const listed = await viewer
      .get(`/api/v1/activities?entityType=product&entityId=${target}`)
      .expect(200);
    expect((listed.body as Activity[]).map((a) => a.id)).toEqual([created.id]);

    const url = `/api/v1/activities/${created.id}`;
    expect((await member.patch(url).set('If-Match', '"7"').send({ summary: 'x' })).status).toBe(
      412,
    );
    const changed = await member
      .patch(url)
      .set('If-Match', '"1"')
      .send({ summary: 'Count stock', assigneeUserId: viewer.user.id })
      .expect(200);
    expect(changed.body).toMatchObject({
      summary: 'Count stock',
      assigneeUserId: viewer.user.id,
      version: 2,
    });
    const same = await member.patch(url).send({ summary: 'Count stock' }).expect(200);
    expect((same.body as Activity).version).toBe(2);

    const done = await member.post(`${url}/done`).expect(200);
    expect(done.body).toMatchObject({ state: 'done', doneBy: member.user.id, version: 3 });
    expect(((await member.post(`${url}/done`).expect(200)).body as Activity).version).toBe(3);

    await owner.delete(url).expect(204);
    expect(await countOn(target)).toBe(0);
    const actions = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_type = 'activity' AND entity_id = $1 ORDER BY created_at, id`,
      [created.id],
    );
    expect(actions.map((a) => a.action)).toEqual(['create', 'update', 'done', 'delete']);
  });

  it('refuses bad input with 422 and writes nothing', async () => {
    const target = await product();
    const base = {
      entityType: 'product',
      entityId: target,
      type: 'call',
      summary: 'Call',
      dueDate: '2026-02-01',
    };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ type: 'lunch' }, 'validation_error', '/type'],
      [{ summary: '' }, 'validation_error', '/summary'],
      [{ summary: 'x'.repeat(201) }, 'validation_error', '/summary'],
      [{ dueDate: '2026-02-30' }, 'validation_error', '/dueDate'],
      [{ dueDate: '2026-02-01T10:00:00Z' }, 'validation_error', '/dueDate'],
      [{ assigneeUserId: noRole.user.id }, 'invalid_assignee', '/assigneeUserId'],
      [{ assigneeUserId: other.user.id }, 'invalid_assignee', '/assigneeUserId'],
    ];
    for (const [extra, code, pointer] of cases) {
      const res = await owner.post('/api/v1/activities').send({ ...base, ...extra });
      expect({
        status: res.status,
        code: codeOf(res).code,
        pointer: codeOf(res).source?.pointer,
      }).toEqual({
        status: 422,
        code,
        pointer,
      });
    }
    expect(await countOn(target)).toBe(0);
    const bad = await owner.get(
      `/api/v1/activities?entityType=product&entityId=${target}&state=soon`,
    );
    expect(bad.status).toBe(422);
  });

  it('answers 403 without the permission, and writes nothing', async () => {
    const target = await product();
    const activity = await schedule(owner, {
      entityType: 'product',
      entityId: target,
      dueDate: '2026-03-01',
    });
    expect(
      (
        await viewer.post('/api/v1/activities').send({
          entityType: 'product',
          entityId: target,
          type: 'call',
          summary: 'x',
          dueDate: '2026-03-01',
        })
      ).status,
    ).toBe(403);
    expect(
      (await viewer.patch(`/api/v1/activities/${activity.id}`).send({ summary: 'y' })).status,
    ).toBe(403);
    expect((await viewer.post(`/api/v1/activities/${activity.id}/done`)).status).toBe(403);
    expect((await viewer.delete(`/api/v1/activities/${activity.id}`)).status).toBe(403);
    expect((await noRole.get('/api/v1/me/activities')).status).toBe(403);
    const [row] = await t.dataSource.query<{ summary: string; done_at: Date | null }[]>(
      'SELECT summary, done_at FROM activities WHERE id = $1',
      [activity.id],
    );
    expect(row).toEqual({ summary: 'Call', done_at: null });
    expect(await countOn(target)).toBe(1);
  });

  it("answers 404 for another tenant's target or activity, and for an unknown type", async () => {
    const target = await product();
    const activity = await schedule(owner, {
      entityType: 'product',
      entityId: target,
      dueDate: '2026-03-01',
    });
    const url = `/api/v1/activities/${activity.id}`;
    const attempts = [
      other.get(`/api/v1/activities?entityType=product&entityId=${target}`),
      other.post('/api/v1/activities').send({
        entityType: 'product',
        entityId: target,
        type: 'call',
        summary: 'x',
        dueDate: '2026-03-01',
      }),
      other.patch(url).send({ summary: 'stolen' }),
      other.post(`${url}/done`),
      other.delete(url),
      owner.get(`/api/v1/activities?entityType=invoice&entityId=${target}`),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      expect({ status: res.status, code: codeOf(res).code }).toEqual({
        status: 404,
        code: 'not_found',
      });
    }
    const mine = (await other.get('/api/v1/me/activities').expect(200)).body as Activity[];
    expect(mine.map((a) => a.id)).not.toContain(activity.id);
    const [row] = await t.dataSource.query<{ summary: string; version: number }[]>(
      'SELECT summary, version FROM activities WHERE id = $1',
      [activity.id],
    );
    expect(row).toEqual({ summary: 'Call', version: 1 });
  });

  it("derives the state from the due date in the organization's time zone, as the clock moves", async () => {
    let tenant = await createTenant(t);
    const target = await product(tenant);
    // UTC+14: at most instants its date is a day ahead of UTC's, or equal.
    await t.dataSource.query(
      `UPDATE organizations SET timezone = 'Pacific/Kiritimati' WHERE id = $1`,
      [tenant.organization.id],
    );
    const zone = 'Pacific/Kiritimati';
    const now = clock.now();
    const yesterday = await schedule(tenant, {
      entityType: 'product',
      entityId: target,
      dueDate: dateIn(now, zone, -1),
    });
    const today = await schedule(tenant, {
      entityType: 'product',
      entityId: target,
      dueDate: dateIn(now, zone),
    });
    const tomorrow = await schedule(tenant, {
      entityType: 'product',
      entityId: target,
      dueDate: dateIn(now, zone, 1),
    });
    const states = async (query = '') =>
      (
        (
          await tenant
            .get(`/api/v1/activities?entityType=product&entityId=${target}${query}`)
            .expect(200)
        ).body as Activity[]
      ).map((a) => [a.id, a.state]);
    expect(await states()).toEqual([
      [yesterday.id, 'overdue'],
      [today.id, 'today'],
      [tomorrow.id, 'planned'],
    ]);
    expect(await states('&state=today')).toEqual([[today.id, 'today']]);
    clock.advance(DAY);
    // Tokens are issued and checked on the same clock: sign in again a day later.
    tenant = actorFor(
      t,
      tenant.user,
      tenant.organization,
      await login(t, tenant.user.email, tenant.user.password),
    );
    expect(await states()).toEqual([
      [yesterday.id, 'overdue'],
      [today.id, 'overdue'],
      [tomorrow.id, 'today'],
    ]);
    expect(await states('&state=overdue')).toEqual([
      [yesterday.id, 'overdue'],
      [today.id, 'overdue'],
    ]);
    await tenant.post(`/api/v1/activities/${today.id}/done`).expect(200);
    expect(await states('&state=done')).toEqual([[today.id, 'done']]);
  });

  it("/me/activities lists only the caller's, of the active organization", async () => {
    const target = await product();
    const mineA = await schedule(owner, {
      entityType: 'product',
      entityId: target,
      dueDate: '2026-04-01',
      assigneeUserId: member.user.id,
    });
    await schedule(owner, {
      entityType: 'product',
      entityId: target,
      dueDate: '2026-04-01',
      assigneeUserId: viewer.user.id,
    });
    await schedule(owner, { entityType: 'product', entityId: target, dueDate: '2026-04-01' });
    // The same person in a second organization, with an activity there.
    const second = await createTenant(t);
    await addMembership(t.dataSource, {
      userId: member.user.id,
      organizationId: second.organization.id,
      roles: ['Member'],
      isDefault: false,
    });
    const elsewhere = await schedule(second, {
      entityType: 'product',
      entityId: await product(second),
      dueDate: '2026-04-01',
      assigneeUserId: member.user.id,
    });
    const mine = (await member.get('/api/v1/me/activities').expect(200)).body as Activity[];
    expect(mine.filter((a) => a.entityId === target).map((a) => a.id)).toEqual([mineA.id]);
    expect(mine.every((a) => a.assigneeUserId === member.user.id)).toBe(true);
    expect(mine.map((a) => a.id)).not.toContain(elsewhere.id);
    const there = (
      await member
        .get('/api/v1/me/activities')
        .set('X-Organization-Id', second.organization.id)
        .expect(200)
    ).body as Activity[];
    expect(there.map((a) => a.id)).toEqual([elsewhere.id]);
    const planned = (await member.get('/api/v1/me/activities?state=done').expect(200))
      .body as Activity[];
    expect(planned.map((a) => a.id)).not.toContain(mineA.id);
  });

  it('deletes the activities of a target with the target', async () => {
    const target = await product();
    await schedule(owner, { entityType: 'product', entityId: target, dueDate: '2026-05-01' });
    await owner.delete(`/api/v1/products/${target}`).expect(204);
    expect(await countOn(target)).toBe(0);
  });
});
