import {
  requireOrganizationId,
  TenantContextMissingError,
  withTenant,
} from '../../src/core/tenancy';
import { addMembership, createOrganization, createUser } from '../factories/identity.factory';
import { createTestApp, TestApp } from '../support/test-app';

describe('row-level security (second wall)', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    t = await createTestApp();
    const [a, b] = [await createOrganization(t.dataSource), await createOrganization(t.dataSource)];
    [orgA, orgB] = [a.id, b.id];
    for (const org of [orgA, orgA, orgB]) {
      const user = await createUser(t.dataSource);
      await addMembership(t.dataSource, {
        userId: user.id,
        organizationId: org,
        roles: ['Member'],
      });
    }
  });
  afterAll(async () => t.close());

  it('as the tenant role without app.current_org a query sees no rows at all', async () => {
    const count = await t.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL ROLE alees_tenant');
      return (await manager.query<{ n: number }[]>('SELECT count(*)::int AS n FROM memberships'))[0]
        .n;
    });
    expect(count).toBe(0);
    const total = (
      await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM memberships')
    )[0].n;
    expect(total).toBeGreaterThanOrEqual(3);
  });

  it('withTenant sees only its organization, even with no WHERE clause', async () => {
    const rows = await withTenant(t.dataSource, orgA, (manager) =>
      manager.query<{ organization_id: string }[]>('SELECT organization_id FROM memberships'),
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.organization_id))).toEqual(new Set([orgA]));
  });

  it('refuses to write a row for another organization', async () => {
    const user = await createUser(t.dataSource);
    await expect(
      withTenant(t.dataSource, orgA, (manager) =>
        manager.query('INSERT INTO memberships (organization_id, user_id) VALUES ($1, $2)', [
          orgB,
          user.id,
        ]),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      withTenant(t.dataSource, orgA, (manager) =>
        manager.query('UPDATE memberships SET is_default = true WHERE organization_id = $1', [
          orgB,
        ]),
      ),
    ).resolves.toEqual([[], 0]);
  });

  it('system roles stay readable; other tenants’ roles do not', async () => {
    await t.dataSource.query(`INSERT INTO roles (organization_id, name) VALUES ($1, 'B only')`, [
      orgB,
    ]);
    const names = await withTenant(t.dataSource, orgA, (manager) =>
      manager.query<{ name: string }[]>('SELECT name FROM roles ORDER BY name'),
    );
    expect(names.map((r) => r.name)).toEqual(['Admin', 'Member', 'Owner', 'Viewer']);
  });

  it('fails closed without an organization', async () => {
    expect(() => requireOrganizationId(undefined)).toThrow(TenantContextMissingError);
    expect(() => requireOrganizationId('not-a-uuid')).toThrow(TenantContextMissingError);
    await expect(withTenant(t.dataSource, null, () => Promise.resolve('ran'))).rejects.toThrow(
      TenantContextMissingError,
    );
  });
});
