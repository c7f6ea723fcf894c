import { randomUUID } from 'node:crypto';
import { createOrganization } from '../factories/identity.factory';
import { Actor, actorFor, createTenant, login, superuserIn } from '../support/auth';
import { queuedMail } from '../support/mail';
import { expectTenantIsolation, TenantIsolationSpec } from '../support/tenant-isolation';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}
interface Tenant {
  organization: { id: string; code: string; parentId: string | null; depth: number; path: string };
  invitation: {
    id: string;
    email: string;
    roleIds: string[];
    status: string;
    organizationId: string;
  };
}
const pointers = (res: { body: unknown }) =>
  (res.body as Envelope).errors.map((e) => e.source?.pointer).sort();

/**
 * Tenant provisioning (issue 13): a superuser creates root organizations with an invited owner;
 * once the owners accept, neither can see the other's rows on any route.
 */
describe('tenants', () => {
  let t: TestApp;
  let platform: Actor;
  let ownerRoleId: string;

  beforeAll(async () => {
    t = await createTestApp();
    platform = await superuserIn(t, await createOrganization(t.dataSource));
    const [role] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM roles WHERE organization_id IS NULL AND name = 'Owner'`,
    );
    ownerRoleId = role.id;
  });
  afterAll(async () => t.close());

  const count = async (table: string) =>
    (await t.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  /** Provisions a tenant and lets its owner accept through the queued mail's link. */
  const provisionAndAccept = async (code: string): Promise<{ tenant: Tenant; owner: Actor }> => {
    const email = `owner-${code.toLowerCase()}@example.test`;
    const res = await platform
      .post('/api/v1/tenants')
      .send({ name: `Customer ${code}`, code, owner: { email, fullName: `Owner ${code}` } })
      .expect(201);
    const tenant = res.body as Tenant;
    const [mail] = await queuedMail(t, email);
    expect(mail).toMatchObject({ template: 'organization-invitation' });
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.data.link)![1];
    await t.http
      .post(`/api/v1/invitations/${token}/accept`)
      .send({ password: 'owner-password-123', fullName: `Owner ${code}` })
      .expect(200);
    const tokens = await login(t, email, 'owner-password-123');
    const user = { id: '', email, password: 'owner-password-123' };
    const owner = actorFor(
      t,
      user,
      { id: tenant.organization.id, code, path: tenant.organization.path },
      tokens,
    );
    user.id = ((await owner.get('/api/v1/auth/me').expect(200)).body as { id: string }).id;
    return { tenant, owner };
  };

  it('a superuser provisions two root tenants; their owners accept and never see each other’s rows', async () => {
    const suffix = randomUUID().slice(0, 6).toUpperCase();
    const a = await provisionAndAccept(`ACME-${suffix}`);
    const b = await provisionAndAccept(`GLOBEX-${suffix}`);
    expect(a.tenant.organization).toMatchObject({ parentId: null, depth: 0 });
    expect(a.tenant.invitation).toMatchObject({
      status: 'pending',
      roleIds: [ownerRoleId],
      organizationId: a.tenant.organization.id,
      email: `owner-acme-${suffix.toLowerCase()}@example.test`,
    });
    // Each owner holds Owner in their own tenant only (with every organization below).
    const memberships = await t.dataSource.query<{ organization_id: string }[]>(
      'SELECT organization_id FROM memberships WHERE user_id = $1',
      [a.owner.user.id],
    );
    expect(memberships.map((m) => m.organization_id)).toEqual([a.tenant.organization.id]);
    await a.owner.get('/api/v1/auth/me').expect(200);

    const specs: TenantIsolationSpec[] = [
      {
        create: (o) => Promise.resolve(o.organization.id),
        itemUrl: (id) => `/api/v1/organizations/${id}`,
        listUrl: '/api/v1/organizations?size=100',
        patch: { name: 'stolen' },
      },
      {
        create: async (o) =>
          (
            (
              await o
                .post('/api/v1/organizations')
                .send({ code: `SUB-${randomUUID().slice(0, 8)}`, name: 'Sub', typeCode: 'company' })
                .expect(201)
            ).body as { id: string }
          ).id,
        itemUrl: (id) => `/api/v1/organizations/${id}`,
        listUrl: '/api/v1/organizations?size=100',
        patch: { name: 'stolen' },
      },
      {
        create: async (o) =>
          (
            (
              await o
                .post('/api/v1/roles')
                .send({ name: `R ${randomUUID().slice(0, 8)}`, permissions: [] })
                .expect(201)
            ).body as { id: string }
          ).id,
        itemUrl: (id) => `/api/v1/roles/${id}`,
        patch: { name: 'stolen' },
        deletable: true,
      },
      {
        create: async (o) =>
          (
            (
              await o
                .post('/api/v1/contacts')
                .send({ kind: 'person', displayName: `C ${randomUUID().slice(0, 8)}` })
                .expect(201)
            ).body as { id: string }
          ).id,
        itemUrl: (id) => `/api/v1/contacts/${id}`,
        listUrl: '/api/v1/contacts?size=100',
        patch: { displayName: 'stolen' },
        deletable: true,
      },
      {
        create: async (o) =>
          (
            (
              await o
                .post('/api/v1/invitations')
                .send({ email: `i-${randomUUID()}@example.test`, roleIds: [ownerRoleId] })
                .expect(201)
            ).body as { id: string }
          ).id,
        itemUrl: (id) => `/api/v1/invitations/${id}`,
        listUrl: '/api/v1/invitations?size=100',
        deletable: true,
      },
      {
        create: async (o) =>
          (
            (await o.get(`/api/v1/memberships?userId=${o.user.id}`).expect(200)).body as {
              items: { id: string }[];
            }
          ).items[0].id,
        itemUrl: (id) => `/api/v1/memberships/${id}`,
        listUrl: '/api/v1/memberships?size=100',
        patch: { appliesToDescendants: false },
        deletable: true,
        extraPosts: (id) => [`/api/v1/memberships/${id}/suspend`],
      },
      {
        create: (o) => Promise.resolve(o.user.id),
        itemUrl: (id) => `/api/v1/users/${id}`,
        listUrl: '/api/v1/users?size=100',
      },
    ];
    for (const spec of specs) {
      await expectTenantIsolation(spec, a.owner, b.owner);
      await expectTenantIsolation(spec, b.owner, a.owner);
    }
    // The owners' lists hold their own tenant only.
    const orgs = (await a.owner.get('/api/v1/organizations?size=100').expect(200)).body as {
      items: { path: string }[];
    };
    expect(orgs.items.every((o) => o.path.startsWith(a.tenant.organization.path))).toBe(true);
    const audit = (await b.owner.get('/api/v1/audit-logs?size=100').expect(200)).body as {
      items: { organizationId: string | null }[];
    };
    expect(audit.items.length).toBeGreaterThan(0);
    const aOrganizations = new Set(
      (
        (await a.owner.get('/api/v1/organizations?size=100').expect(200)).body as {
          items: { id: string }[];
        }
      ).items.map((o) => o.id),
    );
    expect(audit.items.filter((row) => aOrganizations.has(row.organizationId ?? ''))).toEqual([]);
  });

  it('superusers only (403); 422 with pointers and nothing written; a taken code is 409', async () => {
    const owner = await createTenant(t);
    const body = {
      name: 'Sneaky',
      code: `SNEAKY-${randomUUID().slice(0, 6)}`,
      owner: { email: 'sneaky@example.test', fullName: 'S' },
    };
    const organizations = await count('organizations');
    const invitations = await count('invitations');
    await owner.post('/api/v1/tenants').send(body).expect(403);
    const bad = await platform
      .post('/api/v1/tenants')
      .send({ name: '', code: '!', owner: { email: 'nope' } })
      .expect(422);
    expect(pointers(bad)).toEqual(['/code', '/name', '/owner/email', '/owner/fullName']);
    const noOwner = await platform.post('/api/v1/tenants').send({ name: 'X', code: 'XX-1' });
    expect(noOwner.status).toBe(422);
    expect(pointers(noOwner)).toEqual(['/owner']);
    expect(await count('organizations')).toBe(organizations);
    expect(await count('invitations')).toBe(invitations);

    await platform
      .post('/api/v1/tenants')
      .send({ ...body, code: `TAKEN-${body.code}` })
      .expect(201);
    const taken = await platform
      .post('/api/v1/tenants')
      .send({
        ...body,
        code: `taken-${body.code}`,
        owner: { email: 'x@example.test', fullName: 'X' },
      })
      .expect(409);
    expect(pointers(taken)).toEqual(['/code']);
    expect(await count('invitations')).toBe(invitations + 1);
  });
});
