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

  it('refuses a rule running as a user with a role the caller lacks, even with no more permissions', async () => {
    // Workflow transitions and edit rights go by role: an "Approver" role with no extra
    // permission still approves. Acting as its holder would let the author approve.
    const approverRole = (
      (
        await owner
          .post('/api/v1/roles')
          .send({ name: 'Signer', permissions: ['products:read'] })
          .expect(201)
      ).body as { id: string }
    ).id;
    const signer = await addActor(t, owner.organization, ['Signer']);
    expect(approverRole).toBeTruthy();
    const res = await automator.post('/api/v1/automation-rules').send({
      ...rule(signer.user.id),
      actions: [{ type: 'apply_transition', params: { action: 'approve' } }],
    });
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

  it('dry-runs and runs a rule only on a record the caller may read (404 otherwise)', async () => {
    await owner
      .post('/api/v1/roles')
      .send({ name: 'RuleReader', permissions: ['automation:read', 'automation:manage'] })
      .expect(201);
    const reader = await addActor(t, owner.organization, ['RuleReader']);
    const made = await owner.post('/api/v1/products').send({
      sku: `R19-${Date.now()}`,
      name: 'Secret tea',
      type: 'goods',
      price: '1',
      currencyCode: 'EUR',
      uomCode: 'pc',
    });
    expect(made.status).toBe(201);
    const productId = (made.body as { id: string }).id;
    const created = await owner
      .post('/api/v1/automation-rules')
      .send({ ...rule(), trigger: { type: 'manual' } })
      .expect(201);
    const ruleId = (created.body as { id: string }).id;
    await owner
      .post(`/api/v1/automation-rules/${ruleId}/test`)
      .send({ entityId: productId })
      .expect(200);
    await reader
      .post(`/api/v1/automation-rules/${ruleId}/test`)
      .send({ entityId: productId })
      .expect(404);
    await reader
      .post(`/api/v1/automation-rules/${ruleId}/run`)
      .send({ entityId: productId })
      .expect(404);
  });

  describe('call_webhook secret', () => {
    const secret = 'review19-secret-0123456789abcdef';
    const hook = (extra: Record<string, unknown> = {}) => ({
      name: 'Hook',
      entityType: 'product',
      trigger: { type: 'record.updated' },
      actions: [
        { type: 'call_webhook', params: { url: 'https://example.com/hook', secret, ...extra } },
      ],
    });
    const leaks = async (table: string, column: string) =>
      (
        await t.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM ${table} WHERE ${column}::text LIKE $1`,
          [`%${secret}%`],
        )
      )[0].n;
    const stored = async (id: string) =>
      (
        await t.dataSource.query<{ actions: { params: { secret?: string } }[] }[]>(
          'SELECT actions FROM automation_rules WHERE id = $1',
          [id],
        )
      )[0].actions[0].params.secret;

    it('is never answered, audited or kept for replay, and an echoed rule keeps it', async () => {
      const created = await owner
        .post('/api/v1/automation-rules')
        .set('Idempotency-Key', `r19-${Date.now()}`)
        .send(hook())
        .expect(201);
      const rule = created.body as {
        id: string;
        version: number;
        actions: { type: string; params: Record<string, unknown> }[];
      };
      expect(JSON.stringify(rule)).not.toContain(secret);
      const got = await owner.get(`/api/v1/automation-rules/${rule.id}`).expect(200);
      expect(JSON.stringify(got.body)).not.toContain(secret);
      const listed = await owner.get('/api/v1/automation-rules').expect(200);
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      // The client sends back what it read (the masked secret) with another change.
      const echoed = (got.body as typeof rule).actions.map((a) => ({
        ...a,
        params: { ...a.params, body: { note: 'changed' } },
      }));
      const patched = await owner
        .patch(`/api/v1/automation-rules/${rule.id}`)
        .set('If-Match', `"${rule.version}"`)
        .send({ actions: echoed })
        .expect(200);
      expect(JSON.stringify(patched.body)).not.toContain(secret);
      expect(await stored(rule.id)).toBe(secret);
      expect(await leaks('audit_logs', 'changes')).toBe(0);
      expect(await leaks('idempotency_keys', 'response_body')).toBe(0);
      // Moving the call elsewhere needs a new secret: the stored one would sign what the new
      // receiver gets (bodies of the editor's choosing, replayable to the old one).
      const moved = await owner
        .patch(`/api/v1/automation-rules/${rule.id}`)
        .set('If-Match', `"${(patched.body as { version: number }).version}"`)
        .send({
          actions: echoed.map((a) => ({
            ...a,
            params: { ...a.params, url: 'https://example.org/elsewhere' },
          })),
        });
      expect(moved.status).toBe(422);
      expect(await stored(rule.id)).toBe(secret);
    });

    it('refuses the mask as a new secret (422, nothing written)', async () => {
      const res = await owner.post('/api/v1/automation-rules').send({
        ...hook(),
        actions: [
          {
            type: 'call_webhook',
            params: { url: 'https://example.com/hook', secret: '********' },
          },
        ],
      });
      expect(res.status).toBe(422);
    });
  });
});
