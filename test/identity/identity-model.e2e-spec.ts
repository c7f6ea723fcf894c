import { addMembership, createUser } from '../factories/identity.factory';
import { Actor, actorFor, addActor, createTenant, login, superuserIn } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}
const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0].code;

/**
 * The identity model of issue 13: accounts belong to people (changed by themselves or a
 * superuser), organizations manage memberships (roles, suspension, removal), superusers are out
 * of reach of every organization-level caller, and the installation always keeps a superuser.
 */
describe('identity model: accounts, memberships, superusers', () => {
  let t: TestApp;
  let owner: Actor;
  let ownerKey: string;
  let roleIds: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    const roles = (await owner.get('/api/v1/roles').expect(200)).body as {
      id: string;
      name: string;
    }[];
    roleIds = Object.fromEntries(roles.map((r) => [r.name, r.id]));
    ownerKey = (
      (
        await owner
          .post('/api/v1/api-keys')
          .send({ name: 'owner key', roleId: roleIds.Owner })
          .expect(201)
      ).body as { key: string }
    ).key;
  });
  afterAll(async () => t.close());

  const account = async (id: string) =>
    (
      await t.dataSource.query<
        { full_name: string; language: string | null; is_active: boolean; is_superuser: boolean }[]
      >('SELECT full_name, language, is_active, is_superuser FROM users WHERE id = $1', [id])
    )[0];
  const audited = async (entityId: string) =>
    (
      await t.dataSource.query<{ action: string }[]>(
        'SELECT action FROM audit_logs WHERE entity_id = $1 ORDER BY created_at, id',
        [entityId],
      )
    ).map((r) => r.action);

  describe('PATCH /auth/me: a person changes their own profile', () => {
    it('changes name, language and timezone; audited; account flags are not accepted (422, nothing written)', async () => {
      const member = await addActor(t, owner.organization, ['Member']);
      const res = await member
        .patch('/api/v1/auth/me')
        .send({ fullName: 'Self Named', language: 'fr', timezone: 'Europe/Paris' })
        .expect(200);
      expect(res.body).toMatchObject({
        id: member.user.id,
        fullName: 'Self Named',
        language: 'fr',
        timezone: 'Europe/Paris',
      });
      expect(await audited(member.user.id)).toEqual(['login.success', 'update']);
      const bad = await member
        .patch('/api/v1/auth/me')
        .send({ isActive: false, isSuperuser: true, fullName: 'x'.repeat(201) })
        .expect(422);
      expect((bad.body as Envelope).errors.map((e) => e.source?.pointer).sort()).toEqual([
        '/fullName',
        '/isActive',
        '/isSuperuser',
      ]);
      expect(await account(member.user.id)).toMatchObject({
        full_name: 'Self Named',
        is_active: true,
        is_superuser: false,
      });
    });

    it('an API key is not a person: 403 user_required', async () => {
      const res = await t.http
        .patch('/api/v1/auth/me')
        .set('X-API-Key', ownerKey)
        .send({ fullName: 'Key' })
        .expect(403);
      expect(codeOf(res)).toBe('user_required');
    });
  });

  describe('superusers are out of reach of organizations', () => {
    let superuser: Actor;
    let superMembershipId: string;

    beforeAll(async () => {
      const user = await createUser(t.dataSource, { isSuperuser: true, fullName: 'Root' });
      superMembershipId = await addMembership(t.dataSource, {
        userId: user.id,
        organizationId: owner.organization.id,
        roles: ['Member'],
        isDefault: true,
      });
      superuser = actorFor(t, user, owner.organization, await login(t, user.email, user.password));
    });

    it('an Owner’s API key or token cannot deactivate, rename or demote a superuser', async () => {
      for (const body of [{ isActive: false }, { isSuperuser: false }, { fullName: 'Owned' }]) {
        await t.http
          .patch(`/api/v1/users/${superuser.user.id}`)
          .set('X-API-Key', ownerKey)
          .send(body)
          .expect(403);
        await owner.patch(`/api/v1/users/${superuser.user.id}`).send(body).expect(403);
      }
      await t.http
        .delete(`/api/v1/users/${superuser.user.id}`)
        .set('X-API-Key', ownerKey)
        .expect(403);
      expect(await account(superuser.user.id)).toMatchObject({
        full_name: 'Root',
        is_active: true,
        is_superuser: true,
      });
      await login(t, superuser.user.email, superuser.user.password);
    });

    it('an Owner cannot change, suspend or remove a superuser’s membership (403 superuser_protected)', async () => {
      const url = `/api/v1/memberships/${superMembershipId}`;
      const attempts = [
        await owner.patch(url).send({ roleIds: [roleIds.Viewer] }),
        await owner.post(`${url}/suspend`),
        await owner.delete(url),
        await t.http.post(`${url}/suspend`).set('X-API-Key', ownerKey),
      ];
      expect(attempts.map((r) => [r.status, codeOf(r)])).toEqual(
        Array(4).fill([403, 'superuser_protected']),
      );
      const [row] = await t.dataSource.query<{ suspended_at: Date | null }[]>(
        'SELECT suspended_at FROM memberships WHERE id = $1',
        [superMembershipId],
      );
      expect(row.suspended_at).toBeNull();
      await superuser.get('/api/v1/roles').expect(200);
    });
  });

  describe('the last active superuser', () => {
    it('cannot be demoted or deactivated (409 last_superuser), also when two demote themselves at once', async () => {
      const [s1, s2] = [
        await superuserIn(t, owner.organization),
        await superuserIn(t, owner.organization),
      ];
      // This file's database: only s1 and s2 are active superusers from here on.
      await t.dataSource.query(
        'UPDATE users SET is_superuser = false WHERE is_superuser AND NOT (id = ANY($1))',
        [[s1.user.id, s2.user.id]],
      );
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all([
          s1.patch(`/api/v1/users/${s1.user.id}`).send({ isSuperuser: false }),
          s2.patch(`/api/v1/users/${s2.user.id}`).send({ isSuperuser: false }),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
        expect(codeOf(results.find((r) => r.status === 409)!)).toBe('last_superuser');
        const remaining = await t.dataSource.query<{ id: string }[]>(
          'SELECT id FROM users WHERE is_superuser AND is_active',
        );
        expect(remaining).toHaveLength(1);
        await t.dataSource.query('UPDATE users SET is_superuser = true WHERE id = ANY($1)', [
          [s1.user.id, s2.user.id],
        ]);
      }
      // s2 alone: neither demotion nor deactivation by the other superuser once s1 is gone.
      await s2.patch(`/api/v1/users/${s1.user.id}`).send({ isActive: false }).expect(200);
      // s1 is no member of the organization s2 acts in: the audit row stays out of its log.
      const rows = await t.dataSource.query<{ organization_id: string | null }[]>(
        `SELECT organization_id FROM audit_logs WHERE entity_id = $1 AND action = 'update'`,
        [s1.user.id],
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.organization_id === null)).toBe(true);
      const last = await s2.patch(`/api/v1/users/${s2.user.id}`).send({ isSuperuser: false });
      expect([last.status, codeOf(last)]).toEqual([409, 'last_superuser']);
      expect(await account(s2.user.id)).toMatchObject({ is_active: true, is_superuser: true });
    });
  });

  describe('suspending a membership (organization-level deactivation)', () => {
    it('ends the member’s access to the organization at once; reactivation restores it; audited', async () => {
      const member = await addActor(t, owner.organization, ['Member']);
      await member.get('/api/v1/roles').expect(200);
      const list = (await owner.get(`/api/v1/memberships?userId=${member.user.id}`).expect(200))
        .body as { items: { id: string; status: string }[] };
      const id = list.items[0].id;
      expect(list.items[0].status).toBe('active');

      const suspended = await owner.post(`/api/v1/memberships/${id}/suspend`).expect(200);
      expect(suspended.body).toMatchObject({ id, status: 'suspended', version: 2 });
      expect((suspended.body as { suspendedAt: string | null }).suspendedAt).not.toBeNull();
      const refused = await member.get('/api/v1/roles').expect(403);
      expect(codeOf(refused)).toBe('organization_forbidden');
      // The account itself is untouched: the person can still sign in.
      expect(await account(member.user.id)).toMatchObject({ is_active: true });
      await login(t, member.user.email, member.user.password);
      const onlySuspended = (await owner.get('/api/v1/memberships?status=suspended').expect(200))
        .body as { items: { id: string }[] };
      expect(onlySuspended.items.map((m) => m.id)).toEqual([id]);

      await owner.post(`/api/v1/memberships/${id}/reactivate`).expect(200);
      await member.get('/api/v1/roles').expect(200);
      // Removing the membership ends access at once too; the account stays.
      await owner.delete(`/api/v1/memberships/${id}`).expect(204);
      await member.get('/api/v1/roles').expect(403);
      expect(await audited(id)).toEqual(['suspend', 'reactivate', 'delete']);
      expect(await account(member.user.id)).toMatchObject({ is_active: true });
    });

    it('403 without memberships:manage; not yourself; not the last active Owner; stale If-Match 412', async () => {
      const member = await addActor(t, owner.organization, ['Member']);
      const admin = await addActor(t, owner.organization, ['Admin']);
      const memberships = (await owner.get('/api/v1/memberships?size=100').expect(200)).body as {
        items: { id: string; userId: string }[];
      };
      const idOf = (userId: string) => memberships.items.find((m) => m.userId === userId)!.id;
      await member.post(`/api/v1/memberships/${idOf(admin.user.id)}/suspend`).expect(403);
      expect(
        codeOf(await admin.post(`/api/v1/memberships/${idOf(admin.user.id)}/suspend`).expect(422)),
      ).toBe('cannot_suspend_self');
      expect(
        codeOf(await admin.post(`/api/v1/memberships/${idOf(owner.user.id)}/suspend`).expect(422)),
      ).toBe('last_owner');
      await owner
        .post(`/api/v1/memberships/${idOf(member.user.id)}/suspend`)
        .set('If-Match', '"7"')
        .expect(412);
      const rows = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM memberships WHERE organization_id = $1 AND suspended_at IS NOT NULL',
        [owner.organization.id],
      );
      expect(rows[0].n).toBe(0);
    });
  });
});
