import { randomUUID } from 'node:crypto';
import { addMembership, createOrganization, createUser } from '../factories/identity.factory';
import { Actor, actorFor, createTenant, login } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { status: string; code: string; detail: string }[];
}
const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0].code;

/**
 * Finding 1 of issue 13: the owner of one organization took over an account that belongs to a
 * member of a sibling organization. Every step of that sequence must now fail, and fail with an
 * answer that says nothing about whether the account exists.
 */
describe('account takeover across sibling organizations (issue 13, finding 1)', () => {
  let t: TestApp;
  let a: Actor;
  let b: Actor;
  let u: Actor;
  let viewerRoleId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const parent = await createOrganization(t.dataSource);
    a = await createTenant(t, { parent });
    b = await createTenant(t, { parent });
    const user = await createUser(t.dataSource, { fullName: 'Ursula Member' });
    await addMembership(t.dataSource, {
      userId: user.id,
      organizationId: a.organization.id,
      roles: ['Member'],
      isDefault: true,
    });
    u = actorFor(t, user, a.organization, await login(t, user.email, user.password));
    const roles = (await b.get('/api/v1/roles').expect(200)).body as { id: string; name: string }[];
    viewerRoleId = roles.find((r) => r.name === 'Viewer')!.id;
  });
  afterAll(async () => t.close());

  const membershipsOf = async (userId: string) =>
    (
      await t.dataSource.query<{ organization_id: string }[]>(
        'SELECT organization_id FROM memberships WHERE user_id = $1',
        [userId],
      )
    ).map((r) => r.organization_id);

  it('B cannot add U by id: same answer as for a random id, nothing written, nothing revealed', async () => {
    const known = await b
      .post('/api/v1/memberships')
      .send({ userId: u.user.id, roleIds: [viewerRoleId] });
    const random = await b
      .post('/api/v1/memberships')
      .send({ userId: randomUUID(), roleIds: [viewerRoleId] });
    expect(known.status).toBe(403);
    expect(known.body).toEqual(random.body);
    expect(random.status).toBe(403);
    expect(JSON.stringify(known.body)).not.toContain(u.user.email);
    expect(await membershipsOf(u.user.id)).toEqual([a.organization.id]);
  });

  it('B can never read, rename, deactivate or log out U (404 exactly like a random id)', async () => {
    const random = randomUUID();
    for (const [method, body] of [
      ['get', undefined],
      ['patch', { fullName: 'Taken over' }],
      ['delete', undefined],
    ] as const) {
      const known = await b.request(method, `/api/v1/users/${u.user.id}`).send(body);
      const unknown = await b.request(method, `/api/v1/users/${random}`).send(body);
      expect({ method, status: known.status, body: known.body }).toEqual({
        method,
        status: unknown.status,
        body: unknown.body,
      });
      expect([403, 404]).toContain(known.status);
    }
    const [row] = await t.dataSource.query<{ full_name: string; is_active: boolean }[]>(
      'SELECT full_name, is_active FROM users WHERE id = $1',
      [u.user.id],
    );
    expect(row).toEqual({ full_name: 'Ursula Member', is_active: true });
    await u.get('/api/v1/auth/me').expect(200);
    await login(t, u.user.email, u.user.password);
  });

  it('even A (U’s own organization) cannot rename or deactivate U’s account', async () => {
    const rename = await a.patch(`/api/v1/users/${u.user.id}`).send({ fullName: 'Renamed by A' });
    expect(rename.status).toBe(403);
    const deactivate = await a.delete(`/api/v1/users/${u.user.id}`);
    expect(deactivate.status).toBe(403);
    const [row] = await t.dataSource.query<{ full_name: string; is_active: boolean }[]>(
      'SELECT full_name, is_active FROM users WHERE id = $1',
      [u.user.id],
    );
    expect(row).toEqual({ full_name: 'Ursula Member', is_active: true });
    // A still sees its member (the membership view).
    await a.get(`/api/v1/users/${u.user.id}`).expect(200);
  });

  it('POST /users with an email that exists elsewhere answers like any other email', async () => {
    const taken = await b
      .post('/api/v1/users')
      .send({ email: u.user.email, password: 'long-enough-password', roleIds: [viewerRoleId] });
    const fresh = await b.post('/api/v1/users').send({
      email: `fresh-${randomUUID().slice(0, 8)}@example.test`,
      password: 'long-enough-password',
      roleIds: [viewerRoleId],
    });
    expect(taken.status).toBe(fresh.status);
    expect(taken.body).toEqual(fresh.body);
    expect(codeOf(taken)).toBe('forbidden');
    expect(await membershipsOf(u.user.id)).toEqual([a.organization.id]);
  });
});
