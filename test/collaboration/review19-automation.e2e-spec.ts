import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}

/** Review 19: a rule may not act with more permissions than the user who writes it holds. */
describe('automation run-as escalation (review 19)', () => {
  let t: TestApp;
  let owner: Actor;
  let automator: Actor; // custom role: automation rules, but only reads products

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    await owner
      .post('/api/v1/roles')
      .send({
        name: 'Automator',
        permissions: ['automation:read', 'automation:create', 'automation:update', 'products:read'],
      })
      .expect(201);
    automator = await addActor(t, owner.organization, ['Automator']);
  });
  afterAll(async () => t.close());

  const rule = (runAsUserId?: string) => ({
    name: 'Escalate',
    entityType: 'product',
    trigger: { type: 'record.updated' },
    actions: [{ type: 'update_record', params: { fields: { name: 'pwned' } } }],
    ...(runAsUserId ? { runAsUserId } : {}),
  });
  const count = async () =>
    (
      await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM automation_rules WHERE organization_id = $1',
        [owner.organization.id],
      )
    )[0].n;

  it('refuses a rule that would run as a user holding permissions the caller lacks (403, nothing written)', async () => {
    const before = await count();
    const res = await automator.post('/api/v1/automation-rules').send(rule(owner.user.id));
    expect(res.status).toBe(403);
    expect((res.body as Envelope).errors[0].code).toBe('run_as_not_permitted');
    expect(await count()).toBe(before);
  });

  it('refuses editing a rule that runs as a more powerful user', async () => {
    const created = await owner.post('/api/v1/automation-rules').send(rule()).expect(201);
    const { id, version } = created.body as { id: string; version: number };
    const res = await automator
      .patch(`/api/v1/automation-rules/${id}`)
      .set('If-Match', `"${version}"`)
      .send({ actions: [{ type: 'update_record', params: { fields: { name: 'pwned' } } }] });
    expect(res.status).toBe(403);
    expect((res.body as Envelope).errors[0].code).toBe('run_as_not_permitted');
  });

  it('still lets a caller run a rule as themselves, or as someone with fewer permissions', async () => {
    await automator
      .post('/api/v1/automation-rules')
      .send({ ...rule(), actions: [{ type: 'add_tag', params: { names: ['x'] } }] })
      .expect(201);
    await owner.post('/api/v1/automation-rules').send(rule(automator.user.id)).expect(201);
  });
});
