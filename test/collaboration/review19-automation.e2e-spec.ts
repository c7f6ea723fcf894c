import { randomUUID } from 'node:crypto';
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

  it('enabling a rule checks its run-as user again: the caller may act as them, and they are still a member', async () => {
    // The owner's rule, disabled: the automator (automation:update, fewer permissions) may not
    // switch a rule running as the owner back on (403, nothing changes).
    const created = (await owner.post('/api/v1/automation-rules').send(rule()).expect(201))
      .body as { id: string; version: number };
    const disabled = (
      await owner
        .post(`/api/v1/automation-rules/${created.id}/disable`)
        .set('If-Match', `"${created.version}"`)
        .expect(200)
    ).body as { version: number };
    const refused = await automator
      .post(`/api/v1/automation-rules/${created.id}/enable`)
      .set('If-Match', `"${disabled.version}"`);
    expect(refused.status).toBe(403);
    expect((refused.body as Envelope).errors[0].code).toBe('run_as_not_permitted');
    // Disabling needs no such check (it only stops the rule).
    const [{ enabled }] = await t.dataSource.query<{ enabled: boolean }[]>(
      'SELECT enabled FROM automation_rules WHERE id = $1',
      [created.id],
    );
    expect(enabled).toBe(false);

    // A rule running as a member who has since been suspended cannot be enabled (422).
    const member = await addActor(t, owner.organization, ['Automator']);
    const theirs = (
      await owner
        .post('/api/v1/automation-rules')
        .send({ ...rule(member.user.id), enabled: false })
        .expect(201)
    ).body as { id: string; version: number };
    await t.dataSource.query(
      'UPDATE memberships SET suspended_at = now() WHERE user_id = $1 AND organization_id = $2',
      [member.user.id, owner.organization.id],
    );
    const stale = await owner
      .post(`/api/v1/automation-rules/${theirs.id}/enable`)
      .set('If-Match', `"${theirs.version}"`);
    expect(stale.status).toBe(422);
    expect((stale.body as Envelope).errors[0].code).toBe('invalid_run_as_user');
    const [after] = await t.dataSource.query<{ enabled: boolean; version: number }[]>(
      'SELECT enabled, version FROM automation_rules WHERE id = $1',
      [theirs.id],
    );
    expect(after).toEqual({ enabled: false, version: theirs.version });
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
      // At rest it is sealed (AES-256-GCM, bound to the rule): a database dump does not show it.
      expect(await stored(rule.id)).toMatch(/^sealed:v1\./);
      expect(await leaks('automation_rules', 'actions')).toBe(0);
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
      expect(await stored(rule.id)).toMatch(/^sealed:v1\./);
    });

    it('header values are write-only too: masked in answers and audit, sealed at rest, kept when echoed', async () => {
      const token = `Bearer hdr-${randomUUID()}`;
      const created = await owner
        .post('/api/v1/automation-rules')
        .send(hook({ headers: { Authorization: token, 'X-Plain': 'visible-name' } }))
        .expect(201);
      const rule = created.body as {
        id: string;
        version: number;
        actions: { type: string; params: Record<string, unknown> }[];
      };
      expect(rule.actions[0].params.headers).toEqual({
        Authorization: '********',
        'X-Plain': '********',
      });
      const tokenRows = async (table: string, column: string) =>
        (
          await t.dataSource.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM ${table} WHERE ${column}::text LIKE $1`,
            [`%${token}%`],
          )
        )[0].n;
      expect(await tokenRows('automation_rules', 'actions')).toBe(0);
      expect(await tokenRows('audit_logs', 'changes')).toBe(0);
      const [row] = await t.dataSource.query<
        { actions: { params: { headers: Record<string, string> } }[] }[]
      >('SELECT actions FROM automation_rules WHERE id = $1', [rule.id]);
      expect(row.actions[0].params.headers.Authorization).toMatch(/^sealed:v1\./);

      // Echoing the masks with the same URL keeps the values; the dry run still shows the names.
      const patched = await owner
        .patch(`/api/v1/automation-rules/${rule.id}`)
        .set('If-Match', `"${rule.version}"`)
        .send({ actions: rule.actions, name: 'Renamed' })
        .expect(200);
      const version = (patched.body as { version: number }).version;
      const [after] = await t.dataSource.query<
        { actions: { params: { headers: Record<string, string> } }[] }[]
      >('SELECT actions FROM automation_rules WHERE id = $1', [rule.id]);
      expect(after.actions[0].params.headers.Authorization).toMatch(/^sealed:v1\./);
      expect(after.actions[0].params.headers.Authorization).not.toBe(
        row.actions[0].params.headers.Authorization,
      ); // sealed again, with a new IV

      // A mask for a header that has nothing stored behind it (new name, or a new URL) is refused.
      const fresh = await owner
        .patch(`/api/v1/automation-rules/${rule.id}`)
        .set('If-Match', `"${version}"`)
        .send({
          actions: [
            {
              type: 'call_webhook',
              params: { ...rule.actions[0].params, headers: { 'X-New': '********' } },
            },
          ],
        });
      expect(fresh.status).toBe(422);
      expect((fresh.body as Envelope).errors.map((e) => e.source?.pointer)).toContain(
        '/actions/0/params/headers/X-New',
      );
      const elsewhere = await owner
        .patch(`/api/v1/automation-rules/${rule.id}`)
        .set('If-Match', `"${version}"`)
        .send({
          actions: [
            {
              type: 'call_webhook',
              params: {
                ...rule.actions[0].params,
                url: 'https://example.org/x',
                secret: 'a-new-secret-0123456789',
              },
            },
          ],
        });
      expect(elsewhere.status).toBe(422);
      expect((elsewhere.body as Envelope).errors.map((e) => e.source?.pointer)).toContain(
        '/actions/0/params/headers/Authorization',
      );
      const [unchanged] = await t.dataSource.query<{ version: number }[]>(
        'SELECT version FROM automation_rules WHERE id = $1',
        [rule.id],
      );
      expect(unchanged.version).toBe(version);
    });

    it('a sealed value copied into another rule does not open there (bound to its rule)', async () => {
      const a = (await owner.post('/api/v1/automation-rules').send(hook()).expect(201)).body as {
        id: string;
      };
      const b = (await owner.post('/api/v1/automation-rules').send(hook()).expect(201)).body as {
        id: string;
      };
      // An attacker with database write access copies a's sealed secret into b: the dry run of b
      // cannot open it (the AES-GCM additional data is the rule id) and fails instead of signing.
      await t.dataSource.query(
        `UPDATE automation_rules SET actions = (SELECT actions FROM automation_rules WHERE id = $1)
          WHERE id = $2`,
        [a.id, b.id],
      );
      const product = (
        await owner
          .post('/api/v1/products')
          .send({ sku: `SEAL-${randomUUID().slice(0, 8)}`, name: 'Sealed', type: 'goods' })
          .expect(201)
      ).body as { id: string };
      const res = await owner
        .post(`/api/v1/automation-rules/${b.id}/test`)
        .send({ entityId: product.id })
        .expect(200);
      const steps = (res.body as { steps: { status: string; error?: { code: string } }[] }).steps;
      expect(steps[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_webhook_call' } });
      expect(JSON.stringify(res.body)).not.toContain(secret);
      // The rule still reads (masked) and lists; saving it back as read is refused until the
      // secret is sent again.
      const got = await owner.get(`/api/v1/automation-rules/${b.id}`).expect(200);
      const echoed = await owner
        .patch(`/api/v1/automation-rules/${b.id}`)
        .set('If-Match', `"${(got.body as { version: number }).version}"`)
        .send({ actions: (got.body as { actions: unknown[] }).actions });
      expect(echoed.status).toBe(422);
      expect((echoed.body as Envelope).errors[0].source?.pointer).toBe('/actions/0/params/secret');
      // Disabling it still works, and keeps the stored ciphertext as it was (with the right key
      // back — here: the value moved back to its own rule — it would open again).
      const [before] = await t.dataSource.query<{ actions: unknown }[]>(
        'SELECT actions FROM automation_rules WHERE id = $1',
        [b.id],
      );
      await owner
        .post(`/api/v1/automation-rules/${b.id}/disable`)
        .set('If-Match', `"${(got.body as { version: number }).version}"`)
        .expect(200);
      const [after] = await t.dataSource.query<{ actions: unknown; enabled: boolean }[]>(
        'SELECT actions, enabled FROM automation_rules WHERE id = $1',
        [b.id],
      );
      expect(after).toEqual({ actions: before.actions, enabled: false });
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
