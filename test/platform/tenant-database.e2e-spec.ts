import type { EntityManager } from 'typeorm';
import {
  SystemAccessReason,
  TenantContextMissingError,
  TenantDatabase,
} from '../../src/core/tenancy';
import { addMembership, createOrganization, createUser } from '../factories/identity.factory';
import { createTestApp, TestApp } from '../support/test-app';

/** `TenantDatabase` (core/tenancy) on a real database: the tenant wall and the named way around it. */
describe('TenantDatabase', () => {
  let t: TestApp;
  let db: TenantDatabase;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(TenantDatabase); // injectable from the app, as any module provider gets it
    [orgA, orgB] = [
      (await createOrganization(t.dataSource)).id,
      (await createOrganization(t.dataSource)).id,
    ];
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

  it('run() sees only its organization’s rows of an RLS table, even with no WHERE clause', async () => {
    const rows = await db.run(orgA, (manager) =>
      manager.query<{ organization_id: string }[]>('SELECT organization_id FROM memberships'),
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.organization_id))).toEqual(new Set([orgA]));
  });

  it('runAsSystem() sees every organization’s rows', async () => {
    const rows = await db.runAsSystem('access', (manager) =>
      manager.query<{ organization_id: string }[]>(
        'SELECT organization_id FROM memberships WHERE organization_id = ANY($1::uuid[])',
        [[orgA, orgB]],
      ),
    );
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.organization_id))).toEqual(new Set([orgA, orgB]));
  });

  it('run() fails closed without a real organization id, before touching the database', async () => {
    const work = jest.fn(() => Promise.resolve('ran'));
    await expect(db.run(undefined, work)).rejects.toThrow(TenantContextMissingError);
    await expect(db.run('not-a-uuid', work)).rejects.toThrow(TenantContextMissingError);
    expect(work).not.toHaveBeenCalled();
  });

  it('runAsSystem() refuses a reason outside the closed list', async () => {
    const work = jest.fn(() => Promise.resolve('ran'));
    await expect(db.runAsSystem('because' as SystemAccessReason, work)).rejects.toThrow(
      /Not a system access reason/,
    );
    expect(work).not.toHaveBeenCalled();
  });

  it('both roll back when the work throws, and the error propagates unchanged', async () => {
    const failure = new Error('work failed');
    const user = await createUser(t.dataSource);
    const insert = (organizationId: string) => async (manager: EntityManager) => {
      await manager.query('INSERT INTO memberships (organization_id, user_id) VALUES ($1, $2)', [
        organizationId,
        user.id,
      ]);
      throw failure;
    };
    await expect(db.run(orgA, insert(orgA))).rejects.toBe(failure);
    await expect(db.runAsSystem('access', insert(orgB))).rejects.toBe(failure);
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM memberships WHERE user_id = $1',
      [user.id],
    );
    expect(n).toBe(0);
  });
});
