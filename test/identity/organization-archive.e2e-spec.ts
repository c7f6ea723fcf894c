import { randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import { Actor, actorFor, addActor, createTenant, login } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { addMembership, createUser, OrganizationFixture } from '../factories/identity.factory';

interface Org {
  id: string;
  code: string;
  path: string;
  status: string;
  version: number;
  archivedAt: string | null;
}
interface Envelope {
  errors: { status: string; code: string; detail: string; meta?: Record<string, unknown> }[];
}
const codeOf = (body: unknown) => (body as Envelope).errors[0].code;

/**
 * Issue 14, finding 7: archiving a node with active descendants is a 409 unless cascaded; an
 * archived organization is read-only (403 `organization_archived`) for its members and API keys,
 * in every module, until it is restored from its parent's context.
 */
describe('organization archive: subtree rule and read-only archived organizations', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;
  let seq = 0;
  const code = (prefix = 'A') => `${prefix}-${Date.now().toString(36)}-${++seq}`;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    other = await createTenant(t);
  });
  afterAll(async () => t.close());

  const create = async (parentId?: string): Promise<Org> =>
    (
      await owner
        .post('/api/v1/organizations')
        .send({ code: code(), name: 'Node', typeCode: 'branch', ...(parentId ? { parentId } : {}) })
        .expect(201)
    ).body as Org;

  const rows = (ids: string[]) =>
    t.dataSource.query<{ id: string; status: string; version: number; archived_at: Date | null }[]>(
      'SELECT id, status, version, archived_at FROM organizations WHERE id = ANY($1) ORDER BY id',
      [ids],
    );
  const auditRows = (ids: string[]) =>
    t.dataSource.query<{ entity_id: string; action: string; changes: Record<string, unknown> }[]>(
      `SELECT entity_id, action, changes FROM audit_logs
        WHERE entity_type = 'organization' AND entity_id = ANY($1) ORDER BY created_at, id`,
      [ids],
    );

  it('409 active_descendants without cascade: nothing changes in the database', async () => {
    const b = await create();
    const child = await create(b.id);
    const grandchild = await create(child.id);
    const before = await rows([b.id, child.id, grandchild.id]);
    const auditBefore = await auditRows([b.id, child.id, grandchild.id]);

    const res = await owner.post(`/api/v1/organizations/${b.id}/archive`).expect(409);
    const [error] = (res.body as Envelope).errors;
    expect(error).toMatchObject({ status: '409', code: 'active_descendants' });
    expect(error.meta).toEqual({
      count: 2,
      ids: expect.arrayContaining([child.id, grandchild.id]),
    });
    expect(await rows([b.id, child.id, grandchild.id])).toEqual(before);
    expect(await auditRows([b.id, child.id, grandchild.id])).toEqual(auditBefore);

    // cascade=false is the same as omitting it; anything else is a 422 naming the parameter.
    await owner.post(`/api/v1/organizations/${b.id}/archive?cascade=false`).expect(409);
    const bad = await owner.post(`/api/v1/organizations/${b.id}/archive?cascade=yes`).expect(422);
    expect(codeOf(bad.body)).toBe('validation_error');
  });

  it('?cascade=true archives the whole subtree in one go: versions bumped, one audit row each', async () => {
    const b = await create();
    const child = await create(b.id);
    const grandchild = await create(child.id);
    const sibling = await create(); // outside the subtree: untouched
    const archivedLeaf = await create(b.id);
    await owner.post(`/api/v1/organizations/${archivedLeaf.id}/archive`).expect(200);
    const [leafBefore] = await rows([archivedLeaf.id]);

    const res = await owner.post(`/api/v1/organizations/${b.id}/archive?cascade=true`).expect(200);
    expect(res.body).toMatchObject({ id: b.id, status: 'archived', version: 2 });

    const after = await rows([b.id, child.id, grandchild.id]);
    expect(after.map((r) => [r.status, r.version])).toEqual([
      ['archived', 2],
      ['archived', 2],
      ['archived', 2],
    ]);
    expect(after.every((r) => r.archived_at instanceof Date)).toBe(true);
    expect((await rows([sibling.id]))[0]).toMatchObject({ status: 'active', version: 1 });
    // Already archived before: not archived (nor versioned, nor audited) again.
    expect((await rows([archivedLeaf.id]))[0]).toEqual(leafBefore);

    const audit = await auditRows([b.id, child.id, grandchild.id, archivedLeaf.id]);
    const archives = audit.filter((a) => a.action === 'archive');
    expect(archives.map((a) => a.entity_id).sort()).toEqual(
      [b.id, child.id, grandchild.id, archivedLeaf.id].sort(),
    );
    const cascaded = archives.find((a) => a.entity_id === grandchild.id);
    expect(cascaded?.changes).toMatchObject({
      status: { from: 'active', to: 'archived' },
      cascadeFrom: b.id,
    });

    // Restoring under an archived parent is refused; top down works.
    const early = await owner.post(`/api/v1/organizations/${child.id}/restore`).expect(422);
    expect(codeOf(early.body)).toBe('parent_archived');
    expect((await rows([child.id]))[0].status).toBe('archived');
    await owner.post(`/api/v1/organizations/${b.id}/restore`).expect(200);
    await owner.post(`/api/v1/organizations/${child.id}/restore`).expect(200);
    expect((await rows([grandchild.id]))[0].status).toBe('archived');

    // Nothing may be created or moved under an archived organization.
    const moved = await owner
      .post(`/api/v1/organizations/${sibling.id}/move`)
      .send({ parentId: grandchild.id })
      .expect(422);
    expect(codeOf(moved.body)).toBe('parent_archived');
  });

  describe('an archived organization is read-only for its members and API keys', () => {
    let node: Org;
    let member: Actor;
    let apiKey: string;
    let product: { id: string; version: number };
    let contact: { id: string };
    let warehouse: { id: string };

    const withKey = (test: Test) => test.set('X-API-Key', apiKey);
    const nodeFixture = (): OrganizationFixture => ({
      id: node.id,
      code: node.code,
      path: node.path,
    });

    beforeAll(async () => {
      node = await create();
      // A member of the node itself (Owner there), signed in with the node as active organization.
      const user = await createUser(t.dataSource);
      await addMembership(t.dataSource, {
        userId: user.id,
        organizationId: node.id,
        roles: ['Owner'],
        isDefault: true,
      });
      member = actorFor(t, user, nodeFixture(), await login(t, user.email, user.password));
      const roles = (await member.get('/api/v1/roles').expect(200)).body as {
        id: string;
        name: string;
        isSystem: boolean;
      }[];
      const ownerRole = roles.find((r) => r.isSystem && r.name === 'Owner');
      apiKey = (
        (
          await member
            .post('/api/v1/api-keys')
            .send({ name: 'robot', roleId: ownerRole?.id })
            .expect(201)
        ).body as { key: string }
      ).key;
      product = (
        await member
          .post('/api/v1/products')
          .send({ sku: `SKU-${randomUUID().slice(0, 8)}`, name: 'Tea', type: 'goods' })
          .expect(201)
      ).body as { id: string; version: number };
      contact = (
        await member
          .post('/api/v1/contacts')
          .send({ kind: 'company', displayName: 'Acme' })
          .expect(201)
      ).body as { id: string };
      warehouse = (
        await member
          .post('/api/v1/warehouses')
          .send({ code: code('W'), name: 'Main' })
          .expect(201)
      ).body as { id: string };
      await owner.post(`/api/v1/organizations/${node.id}/archive`).expect(200);
    });

    const expectArchived = async (test: Test) => {
      const res = await test;
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        errors: [
          { status: '403', code: 'organization_archived', meta: { organizationId: node.id } },
        ],
      });
    };

    it('reads still work (JWT user and API key)', async () => {
      await member.get(`/api/v1/products/${product.id}`).expect(200);
      await member.get('/api/v1/contacts').expect(200);
      await member.get(`/api/v1/organizations/${node.id}`).expect(200);
      await withKey(t.http.get(`/api/v1/products/${product.id}`)).expect(200);
      await withKey(t.http.get('/api/v1/warehouses')).expect(200);
    });

    it('every write is 403 organization_archived, in every module, and changes nothing', async () => {
      const productsBefore = await t.dataSource.query<unknown[]>(
        'SELECT id, name, version FROM products WHERE organization_id = $1 ORDER BY id',
        [node.id],
      );
      const contactsBefore = await t.dataSource.query<unknown[]>(
        'SELECT id, display_name, version FROM contacts WHERE organization_id = $1 ORDER BY id',
        [node.id],
      );
      const warehousesBefore = await t.dataSource.query<unknown[]>(
        'SELECT id, name, version FROM warehouses WHERE organization_id = $1 ORDER BY id',
        [node.id],
      );
      const auditBefore = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM audit_logs WHERE organization_id = $1',
        [node.id],
      );

      for (const request of [
        // JWT user
        member.post('/api/v1/products').send({ sku: 'NEW-1', name: 'New', type: 'goods' }),
        member.patch(`/api/v1/products/${product.id}`).send({ name: 'Renamed' }),
        member.delete(`/api/v1/products/${product.id}`),
        member.post('/api/v1/contacts').send({ kind: 'company', displayName: 'New' }),
        member.patch(`/api/v1/contacts/${contact.id}`).send({ displayName: 'Renamed' }),
        member.delete(`/api/v1/contacts/${contact.id}`),
        member.post('/api/v1/warehouses').send({ code: code('W'), name: 'Second' }),
        member.patch(`/api/v1/warehouses/${warehouse.id}`).send({ name: 'Renamed' }),
        member.post('/api/v1/categories').send({ type: 'product', name: 'New' }),
        member.post('/api/v1/api-keys').send({ name: 'another', roleId: randomUUID() }),
        // API key
        withKey(t.http.post('/api/v1/products')).send({ sku: 'NEW-2', name: 'New', type: 'goods' }),
        withKey(t.http.patch(`/api/v1/products/${product.id}`)).send({ name: 'Renamed' }),
        withKey(t.http.delete(`/api/v1/contacts/${contact.id}`)),
        withKey(t.http.patch(`/api/v1/warehouses/${warehouse.id}`)).send({ name: 'Renamed' }),
      ]) {
        await expectArchived(request);
      }

      expect(
        await t.dataSource.query<unknown[]>(
          'SELECT id, name, version FROM products WHERE organization_id = $1 ORDER BY id',
          [node.id],
        ),
      ).toEqual(productsBefore);
      expect(
        await t.dataSource.query<unknown[]>(
          'SELECT id, display_name, version FROM contacts WHERE organization_id = $1 ORDER BY id',
          [node.id],
        ),
      ).toEqual(contactsBefore);
      expect(
        await t.dataSource.query<unknown[]>(
          'SELECT id, name, version FROM warehouses WHERE organization_id = $1 ORDER BY id',
          [node.id],
        ),
      ).toEqual(warehousesBefore);
      expect(
        await t.dataSource.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM audit_logs WHERE organization_id = $1',
          [node.id],
        ),
      ).toEqual(auditBefore);
    });

    it('the member’s own account routes keep working (profile, password)', async () => {
      await member.patch('/api/v1/auth/me').send({ fullName: 'Still Here' }).expect(200);
      const [user] = await t.dataSource.query<{ full_name: string }[]>(
        'SELECT full_name FROM users WHERE id = $1',
        [member.user.id],
      );
      expect(user.full_name).toBe('Still Here');
      await member
        .post('/api/v1/auth/password')
        .send({ currentPassword: member.user.password, newPassword: 'another-long-passphrase-42' })
        .expect((res) => expect([200, 204]).toContain(res.status));
    });

    it('it cannot restore itself from its own context; the parent’s context can, and writes work again', async () => {
      const relogged = actorFor(
        t,
        member.user,
        nodeFixture(),
        await login(t, member.user.email, 'another-long-passphrase-42'),
      );
      await expectArchived(relogged.post(`/api/v1/organizations/${node.id}/restore`));
      expect((await rows([node.id]))[0].status).toBe('archived');

      // Another tenant does not see it: 404 for archive and restore, nothing changes.
      await other.post(`/api/v1/organizations/${node.id}/restore`).expect(404);
      await other.post(`/api/v1/organizations/${node.id}/archive?cascade=true`).expect(404);
      // A Viewer of the parent lacks organizations:update: 403 forbidden.
      const viewer = await addActor(t, owner.organization, ['Viewer']);
      const denied = await viewer.post(`/api/v1/organizations/${node.id}/restore`).expect(403);
      expect(codeOf(denied.body)).toBe('forbidden');
      expect((await rows([node.id]))[0].status).toBe('archived');

      const restored = await owner.post(`/api/v1/organizations/${node.id}/restore`).expect(200);
      expect(restored.body).toMatchObject({ status: 'active', archivedAt: null });
      const [audit] = await t.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_logs WHERE entity_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
        [node.id],
      );
      expect(audit.action).toBe('restore');

      await relogged.patch(`/api/v1/products/${product.id}`).send({ name: 'Renamed' }).expect(200);
      await withKey(t.http.patch(`/api/v1/warehouses/${warehouse.id}`))
        .send({ name: 'Renamed' })
        .expect(200);
      await withKey(t.http.post('/api/v1/contacts'))
        .send({ kind: 'company', displayName: 'After restore' })
        .expect(201);
      const [row] = await t.dataSource.query<{ name: string }[]>(
        'SELECT name FROM products WHERE id = $1',
        [product.id],
      );
      expect(row.name).toBe('Renamed');
    });
  });
});
