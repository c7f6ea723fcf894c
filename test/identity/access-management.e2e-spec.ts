import { createUser } from '../factories/identity.factory';
import { Actor, addActor, createTenant, login, superuserIn } from '../support/auth';
import { expectTenantIsolation } from '../support/tenant-isolation';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}
interface Role {
  id: string;
  name: string;
  isSystem: boolean;
  permissions: string[];
  version: number;
}
const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0].code;
const pointers = (res: { body: unknown }) =>
  (res.body as Envelope).errors.map((e) => e.source?.pointer).sort();

describe('roles, memberships, users and API keys', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;
  /** A superuser acting in `owner`'s organization: adding accounts by id is theirs only. */
  let platform: Actor;
  let systemRoles: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    other = await createTenant(t);
    platform = await superuserIn(t, owner.organization);
    const roles = (await owner.get('/api/v1/roles').expect(200)).body as Role[];
    systemRoles = Object.fromEntries(roles.filter((r) => r.isSystem).map((r) => [r.name, r.id]));
  });
  afterAll(async () => t.close());

  const audited = async (entityId: string) =>
    (
      await t.dataSource.query<{ action: string }[]>(
        'SELECT action FROM audit_logs WHERE entity_id = $1 ORDER BY created_at, id',
        [entityId],
      )
    ).map((r) => r.action);

  describe('roles', () => {
    it('lists system roles and own roles; creates, updates with If-Match, deletes; audits', async () => {
      expect(Object.keys(systemRoles).sort()).toEqual(['Admin', 'Member', 'Owner', 'Viewer']);
      const created = await owner
        .post('/api/v1/roles')
        .send({ name: 'Auditor', permissions: ['audit-logs:read'] })
        .expect(201);
      const role = created.body as Role;
      expect(role).toMatchObject({
        name: 'Auditor',
        isSystem: false,
        permissions: ['audit-logs:read'],
        version: 1,
      });
      await owner
        .patch(`/api/v1/roles/${role.id}`)
        .set('If-Match', '"9"')
        .send({ name: 'x' })
        .expect(412);
      const updated = await owner
        .patch(`/api/v1/roles/${role.id}`)
        .set('If-Match', '"1"')
        .send({ permissions: ['audit-logs:read', 'roles:read'] })
        .expect(200);
      expect((updated.body as Role).permissions).toEqual(['audit-logs:read', 'roles:read']);
      await owner.delete(`/api/v1/roles/${role.id}`).expect(204);
      await owner.get(`/api/v1/roles/${role.id}`).expect(404);
      expect(await audited(role.id)).toEqual(['create', 'update', 'delete']);
    });

    it('422 on unknown permissions and bad names (nothing written); 409 on duplicates; system roles immutable', async () => {
      const before = (
        await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM roles')
      )[0].n;
      const bad = await owner
        .post('/api/v1/roles')
        .send({ name: '', permissions: ['everything:all'] })
        .expect(422);
      expect(pointers(bad)).toEqual(['/name', '/permissions']);
      expect(
        (await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM roles'))[0].n,
      ).toBe(before);
      await owner.post('/api/v1/roles').send({ name: 'Dup', permissions: [] }).expect(201);
      const dup = await owner
        .post('/api/v1/roles')
        .send({ name: 'dup', permissions: [] })
        .expect(409);
      expect(pointers(dup)).toEqual(['/name']);
      const system = await owner
        .patch(`/api/v1/roles/${systemRoles.Owner}`)
        .send({ name: 'Boss' })
        .expect(422);
      expect(codeOf(system)).toBe('system_role_immutable');
    });

    it('403 without roles:manage; 404 across tenants; a role in use cannot be deleted', async () => {
      const member = await addActor(t, owner.organization, ['Member']);
      await member.get('/api/v1/roles').expect(200);
      await member.post('/api/v1/roles').send({ name: 'Nope', permissions: [] }).expect(403);
      await expectTenantIsolation(
        {
          create: async (a) =>
            (
              (
                await a
                  .post('/api/v1/roles')
                  .send({ name: `Iso ${Date.now()}`, permissions: [] })
                  .expect(201)
              ).body as Role
            ).id,
          itemUrl: (id) => `/api/v1/roles/${id}`,
          patch: { name: 'stolen' },
          deletable: true,
        },
        owner,
        other,
      );
      const used = (
        await owner
          .post('/api/v1/roles')
          .send({ name: 'Used', permissions: ['organizations:read'] })
          .expect(201)
      ).body as Role;
      const user = await createUser(t.dataSource);
      await platform
        .post('/api/v1/memberships')
        .send({ userId: user.id, roleIds: [used.id] })
        .expect(201);
      expect(codeOf(await owner.delete(`/api/v1/roles/${used.id}`).expect(409))).toBe(
        'role_in_use',
      );
      const keyRole = (
        await owner
          .post('/api/v1/roles')
          .send({ name: 'Key role', permissions: ['organizations:read'] })
          .expect(201)
      ).body as Role;
      const key = (
        await owner
          .post('/api/v1/api-keys')
          .send({ name: 'holder', roleId: keyRole.id })
          .expect(201)
      ).body as { id: string };
      expect(codeOf(await owner.delete(`/api/v1/roles/${keyRole.id}`).expect(409))).toBe(
        'role_in_use',
      );
      await owner.post(`/api/v1/api-keys/${key.id}/revoke`).expect(200);
      const current = (await owner.get(`/api/v1/roles/${keyRole.id}`).expect(200)).body as Role;
      // A revoked key no longer counts as a holder (no role_in_use), but its row still references
      // the role, so the foreign key answers (today's behaviour, kept).
      const afterRevoke = await owner
        .delete(`/api/v1/roles/${keyRole.id}`)
        .set('If-Match', `"${current.version}"`)
        .expect(409);
      expect(codeOf(afterRevoke)).toBe('conflict');
    });

    it('removing a permission from a role takes effect on the next request', async () => {
      const role = (
        await owner
          .post('/api/v1/roles')
          .send({ name: 'Temp reader', permissions: ['memberships:read'] })
          .expect(201)
      ).body as Role;
      const user = await createUser(t.dataSource);
      await platform
        .post('/api/v1/memberships')
        .send({ userId: user.id, roleIds: [role.id], isDefault: true })
        .expect(201);
      const tokens = await login(t, user.email, user.password);
      const asUser = () =>
        t.http.get('/api/v1/memberships').set('Authorization', `Bearer ${tokens.accessToken}`);
      await asUser().expect(200);
      await owner.patch(`/api/v1/roles/${role.id}`).send({ permissions: [] }).expect(200);
      await asUser().expect(403);
    });
  });

  describe('memberships', () => {
    it('adds (superusers), updates and removes members; audits each; keeps an Owner', async () => {
      const user = await createUser(t.dataSource);
      const created = await platform
        .post('/api/v1/memberships')
        .send({ userId: user.id, roleIds: [systemRoles.Viewer] })
        .expect(201);
      const membership = created.body as {
        id: string;
        roles: { name: string }[];
        userEmail: string;
      };
      expect(membership).toMatchObject({ userEmail: user.email, roles: [{ name: 'Viewer' }] });
      await platform.post('/api/v1/memberships').send({ userId: user.id, roleIds: [] }).expect(409);
      // An organization cannot attach an account by id: it invites (test/identity/invitations).
      await owner.post('/api/v1/memberships').send({ userId: user.id, roleIds: [] }).expect(403);
      const updated = await owner
        .patch(`/api/v1/memberships/${membership.id}`)
        .send({ roleIds: [systemRoles.Member], appliesToDescendants: true })
        .expect(200);
      expect(updated.body).toMatchObject({
        roles: [{ name: 'Member' }],
        appliesToDescendants: true,
        version: 2,
      });
      await owner.delete(`/api/v1/memberships/${membership.id}`).expect(204);
      expect(await audited(membership.id)).toEqual(['create', 'update', 'delete']);

      const list = (await owner.get(`/api/v1/memberships?userId=${owner.user.id}`).expect(200))
        .body as { items: { id: string }[] };
      const lastOwner = await owner.delete(`/api/v1/memberships/${list.items[0].id}`).expect(422);
      expect(codeOf(lastOwner)).toBe('last_owner');
    });

    it('422 for unknown users (superusers), other tenants’ roles and bad ids; 403 without permission; 404 across tenants', async () => {
      const stranger = (
        await other.post('/api/v1/roles').send({ name: 'Theirs', permissions: [] }).expect(201)
      ).body as Role;
      const user = await createUser(t.dataSource);
      expect(
        pointers(
          await platform
            .post('/api/v1/memberships')
            .send({ userId: '00000000-0000-4000-8000-000000000000', roleIds: [] })
            .expect(422),
        ),
      ).toEqual(['/userId']);
      expect(
        pointers(
          await platform
            .post('/api/v1/memberships')
            .send({ userId: user.id, roleIds: [stranger.id] })
            .expect(422),
        ),
      ).toEqual(['/roleIds']);
      expect(
        pointers(
          await platform
            .post('/api/v1/memberships')
            .send({ userId: 'x', roleIds: ['y'] })
            .expect(422),
        ),
      ).toEqual(['/roleIds', '/userId']);
      const viewer = await addActor(t, owner.organization, ['Viewer']);
      await viewer.get('/api/v1/memberships').expect(403);
      await expectTenantIsolation(
        {
          create: async (a) => {
            const u = await createUser(t.dataSource);
            const admin = await superuserIn(t, a.organization);
            return (
              (
                await admin
                  .post('/api/v1/memberships')
                  .send({ userId: u.id, roleIds: [systemRoles.Viewer] })
                  .expect(201)
              ).body as { id: string }
            ).id;
          },
          itemUrl: (id) => `/api/v1/memberships/${id}`,
          listUrl: '/api/v1/memberships?size=100',
          patch: { appliesToDescendants: true },
          deletable: true,
          extraPosts: (id) => [
            `/api/v1/memberships/${id}/suspend`,
            `/api/v1/memberships/${id}/reactivate`,
          ],
        },
        owner,
        other,
      );
    });
  });

  describe('users', () => {
    it('superusers create, read, update and deactivate accounts; never leaks secrets', async () => {
      const created = await platform
        .post('/api/v1/users')
        .send({
          email: 'New.Person@Example.test',
          password: 'long-enough-password',
          fullName: 'New Person',
          roleIds: [systemRoles.Member],
        })
        .expect(201);
      const user = created.body as { id: string; email: string; version: number };
      expect(user).toMatchObject({
        email: 'new.person@example.test',
        isActive: true,
        isSuperuser: false,
      });
      expect(JSON.stringify(created.body)).not.toMatch(/password|totp_secret|passwordHash/i);
      const tokens = await login(t, 'new.person@example.test', 'long-enough-password');
      await owner.get(`/api/v1/users/${user.id}`).expect(200);
      const dup = await platform
        .post('/api/v1/users')
        .send({ email: 'NEW.person@example.test', password: 'long-enough-password', roleIds: [] })
        .expect(409);
      expect(pointers(dup)).toEqual(['/email']);
      // The organization's Owner manages the membership, never the account.
      await owner.patch(`/api/v1/users/${user.id}`).send({ isSuperuser: true }).expect(403);
      await owner.patch(`/api/v1/users/${user.id}`).send({ fullName: 'Owner rename' }).expect(403);
      await owner.delete(`/api/v1/users/${user.id}`).expect(403);
      await platform
        .patch(`/api/v1/users/${user.id}`)
        .set('If-Match', '"1"')
        .send({ fullName: 'Renamed', language: 'fr' })
        .expect(200);
      await platform.delete(`/api/v1/users/${user.id}`).expect(204);
      await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${tokens.accessToken}`)
        .expect(401);
      await t.http
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: tokens.refreshToken })
        .expect(401);
      expect(await audited(user.id)).toEqual(expect.arrayContaining(['create', 'update']));
      expect(codeOf(await platform.delete(`/api/v1/users/${platform.user.id}`).expect(422))).toBe(
        'cannot_deactivate_self',
      );
    });

    it('422 with pointers and nothing written; 403 without permission; 404 across tenants', async () => {
      const bad = await platform
        .post('/api/v1/users')
        .send({ email: 'nope', password: 'short', roleIds: 'x', timezone: 'Nowhere' })
        .expect(422);
      expect(pointers(bad)).toEqual(['/email', '/password', '/roleIds', '/timezone']);
      const viewer = await addActor(t, owner.organization, ['Viewer']);
      await viewer.get('/api/v1/users').expect(403);
      await owner
        .post('/api/v1/users')
        .send({ email: 'x@example.test', password: 'long-enough-password', roleIds: [] })
        .expect(403);
      await expectTenantIsolation(
        {
          create: async (a) => (await addActor(t, a.organization, ['Viewer'])).user.id,
          itemUrl: (id) => `/api/v1/users/${id}`,
          listUrl: '/api/v1/users?size=100',
        },
        owner,
        other,
      );
    });
  });

  describe('API keys', () => {
    it('shown once; works as X-API-Key with its role; lastUsedAt set; revoked → 401', async () => {
      const created = await owner
        .post('/api/v1/api-keys')
        .send({ name: 'scanner', roleId: systemRoles.Member })
        .expect(201);
      const { id, key, prefix } = created.body as { id: string; key: string; prefix: string };
      expect(key).toMatch(/^alees_[A-Za-z0-9_-]{43}$/);
      expect(key.startsWith(prefix)).toBe(true);
      const [row] = await t.dataSource.query<{ key_hash: string }[]>(
        'SELECT key_hash FROM api_keys WHERE id = $1',
        [id],
      );
      expect(row.key_hash).not.toContain(key);
      const listed = (await owner.get('/api/v1/api-keys?revoked=false').expect(200)).body as {
        items: unknown[];
      };
      expect(listed.items.length).toBeGreaterThan(0);
      expect(JSON.stringify(listed)).not.toContain(key);

      await t.http.get('/api/v1/roles').set('X-API-Key', key).expect(200);
      await t.http
        .post('/api/v1/roles')
        .set('X-API-Key', key)
        .send({ name: 'x', permissions: [] })
        .expect(403);
      await t.http
        .get('/api/v1/roles')
        .set('X-API-Key', key)
        .set('X-Organization-Id', other.organization.id)
        .expect(403);
      expect(
        (
          (await owner.get(`/api/v1/api-keys/${id}`).expect(200)).body as {
            lastUsedAt: string | null;
          }
        ).lastUsedAt,
      ).not.toBeNull();

      await owner.post(`/api/v1/api-keys/${id}/revoke`).expect(200);
      await t.http.get('/api/v1/roles').set('X-API-Key', key).expect(401);
      expect(await audited(id)).toEqual(['create', 'revoke']);
    });

    it('422 on bad input or another tenant’s role; 403 without permission; 404 across tenants', async () => {
      const theirs = (
        await other
          .post('/api/v1/roles')
          .send({ name: `K ${Date.now()}`, permissions: [] })
          .expect(201)
      ).body as Role;
      expect(
        pointers(await owner.post('/api/v1/api-keys').send({ name: '', roleId: 'x' }).expect(422)),
      ).toEqual(['/name', '/roleId']);
      expect(
        pointers(
          await owner.post('/api/v1/api-keys').send({ name: 'k', roleId: theirs.id }).expect(422),
        ),
      ).toEqual(['/roleId']);
      const member = await addActor(t, owner.organization, ['Member']);
      await member.get('/api/v1/api-keys').expect(403);
      await expectTenantIsolation(
        {
          create: async (a) =>
            (
              (
                await a
                  .post('/api/v1/api-keys')
                  .send({ name: 'iso', roleId: systemRoles.Viewer })
                  .expect(201)
              ).body as { id: string }
            ).id,
          itemUrl: (id) => `/api/v1/api-keys/${id}`,
          listUrl: '/api/v1/api-keys',
          deletable: true,
          extraPosts: (id) => [`/api/v1/api-keys/${id}/revoke`],
        },
        owner,
        other,
      );
    });
  });
});
