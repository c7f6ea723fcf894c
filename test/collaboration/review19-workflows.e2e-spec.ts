import { randomUUID } from 'node:crypto';
import { Actor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/** Review 19: "self" for self-approval is the person, whether they call with a token or a key. */
describe('workflow self-approval through an API key (review 19)', () => {
  let t: TestApp;
  let owner: Actor;
  let ownerRole: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    [{ id: ownerRole }] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM roles WHERE organization_id IS NULL AND name = 'Owner'`,
    );
    const created = await owner
      .post('/api/v1/workflows')
      .send({
        entityType: 'product',
        name: 'Sign-off',
        states: [
          { code: 'draft', isInitial: true, editRoleIds: [ownerRole] },
          { code: 'active', isFinal: true, editRoleIds: [ownerRole] },
        ],
        transitions: [
          {
            action: 'approve',
            from: 'draft',
            to: 'active',
            allowedRoleIds: [ownerRole],
            allowSelfApproval: false,
          },
        ],
      })
      .expect(201);
    await owner
      .post(`/api/v1/workflows/${(created.body as { id: string }).id}/activate`)
      .expect(200);
  });
  afterAll(async () => t.close());

  const product = async (actor: { post: Actor['post'] }) => {
    const res = await actor.post('/api/v1/products').send({
      sku: `R19-${randomUUID().slice(0, 8)}`,
      name: 'Self tea',
      type: 'goods',
      price: '10',
      currencyCode: 'EUR',
      uomCode: 'pc',
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };

  it('refuses the creator approving through their own API key, and a key approving what its creator made', async () => {
    const key = (
      (await owner.post('/api/v1/api-keys').send({ name: 'mine', roleId: ownerRole }).expect(201))
        .body as { key: string }
    ).key;
    const viaKey = {
      post: (url: string) => t.http.post(url).set('X-API-Key', key),
    };

    const mine = await product(owner);
    expect(
      (
        await owner
          .post(`/api/v1/workflow-instances/product/${mine.id}/transitions`)
          .set('If-Match', '"0"')
          .send({ action: 'approve' })
      ).status,
    ).toBe(403);
    const byKey = await viaKey
      .post(`/api/v1/workflow-instances/product/${mine.id}/transitions`)
      .set('If-Match', '"0"')
      .send({ action: 'approve' });
    expect(byKey.status).toBe(403);
    expect((byKey.body as { errors: { code: string }[] }).errors[0].code).toBe(
      'self_approval_not_allowed',
    );

    const keyMade = await product(viaKey);
    const byOwner = await owner
      .post(`/api/v1/workflow-instances/product/${keyMade.id}/transitions`)
      .set('If-Match', '"0"')
      .send({ action: 'approve' });
    expect(byOwner.status).toBe(403);
  });

  it('refuses a status change outside the workflow, even in a state the caller may edit', async () => {
    const mine = await product(owner);
    const patched = await owner.patch(`/api/v1/products/${mine.id}`).send({ status: 'active' });
    expect(patched.status).toBe(409);
    expect((patched.body as { errors: { code: string }[] }).errors[0].code).toBe(
      'status_governed_by_workflow',
    );
    const lifecycle = await owner
      .post(`/api/v1/products/${mine.id}/transitions`)
      .send({ action: 'activate' });
    expect(lifecycle.status).toBe(409);
    const [row] = await t.dataSource.query<{ status: string }[]>(
      'SELECT status FROM products WHERE id = $1',
      [mine.id],
    );
    expect(row.status).toBe('draft');
    // Other fields stay editable in an editable state.
    await owner.patch(`/api/v1/products/${mine.id}`).send({ name: 'Renamed' }).expect(200);
  });
});
