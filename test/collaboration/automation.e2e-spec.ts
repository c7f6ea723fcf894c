import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { DomainEvent } from '../../src/modules/domain-events';
import {
  AutomationDateSweep,
  AutomationEventConsumer,
  AutomationMaintenance,
} from '../../src/modules/automation';
import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Rule {
  id: string;
  name: string;
  entityType: string;
  trigger: Record<string, unknown>;
  condition: Record<string, unknown> | null;
  actions: { type: string; params: Record<string, unknown> }[];
  runAsUserId: string;
  createdByUserId: string | null;
  enabled: boolean;
  consecutiveFailures: number;
  disabledReason: string | null;
  version: number;
}
interface Run {
  id: string;
  ruleId: string;
  status: string;
  causationDepth: number;
  steps: { action: string; status: string; output: unknown; error: { code: string } | null }[];
}
interface Envelope {
  errors: {
    code: string;
    source?: { pointer?: string; parameter?: string };
    meta?: Record<string, unknown>;
  }[];
}
interface RunRowInDb {
  id: string;
  rule_id: string;
  status: string;
  causation_depth: number;
  event_id: string;
}

describe('automation rules (SPEC-P3 §8)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let owner: Actor; // Owner: every automation permission
  let member: Actor; // Member: automation:read only, products:manage
  let viewer: Actor; // Viewer: neither automation nor products:manage
  let other: Actor; // another tenant's owner

  const errorsOf = (res: { body: unknown }) => (res.body as Envelope).errors;
  const product = async (actor = owner, name = 'Green tea') => {
    const res = await actor.post('/api/v1/products').send({
      sku: `AU-${randomUUID().slice(0, 8)}`,
      name,
      type: 'goods',
      price: '1',
      currencyCode: 'EUR',
      uomCode: 'pc',
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; version: number };
  };
  const createRule = async (body: Record<string, unknown>, actor = owner) => {
    const res = await actor.post('/api/v1/automation-rules').send({
      name: `Rule ${randomUUID().slice(0, 6)}`,
      entityType: 'product',
      trigger: { type: 'record.updated' },
      actions: [{ type: 'add_tag', params: { names: ['auto'] } }],
      ...body,
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Rule;
  };
  const createRuleAs = (actor: Actor, body: Record<string, unknown>) => createRule(body, actor);
  const ruleCount = async (orgId: string) =>
    Number(
      (
        await t.dataSource.query<{ n: string }[]>(
          'SELECT count(*) AS n FROM automation_rules WHERE organization_id = $1',
          [orgId],
        )
      )[0].n,
    );
  const runsOf = (ruleId: string) =>
    t.dataSource.query<RunRowInDb[]>(
      `SELECT id, rule_id, status, causation_depth, event_id FROM automation_runs
        WHERE rule_id = $1 ORDER BY created_at, id`,
      [ruleId],
    );
  /** Polls until `check` holds for the committed state (no sleeps as fixes: a deadline). */
  const until = async <T>(load: () => Promise<T>, check: (v: T) => boolean, ms = 20_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await load();
      if (check(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const finished = (rows: RunRowInDb[]) =>
    rows.every((r) => !['queued', 'running'].includes(r.status));
  const productRow = async (id: string) =>
    (
      await t.dataSource.query<{ name: string; description: string | null; version: number }[]>(
        'SELECT name, description, version FROM products WHERE id = $1',
        [id],
      )
    )[0];

  /** Each triggering test gets its own tenant, so rules of other tests never fire on its records. */
  const fresh = async () => {
    const me = await createTenant(t);
    return {
      me,
      meMember: await addActor(t, me.organization, ['Member']),
      meViewer: await addActor(t, me.organization, ['Viewer']),
    };
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    other = await createTenant(t);
    worker = await t.startWorker();
  });
  afterAll(async () => t.close());

  describe('rules CRUD', () => {
    it('creates, reads, lists, changes (If-Match), disables, enables and deletes a rule', async () => {
      const res = await owner
        .post('/api/v1/automation-rules')
        .send({
          name: '  Flag   active ',
          entityType: 'product',
          trigger: { type: 'field.changed', field: 'status', to: 'active' },
          condition: { field: 'price', op: 'gte', value: '1' },
          actions: [{ type: 'update_record', params: { fields: { description: 'Live' } } }],
        })
        .expect(201);
      const rule = res.body as Rule;
      expect(res.headers.location).toBe(`/api/v1/automation-rules/${rule.id}`);
      expect(rule).toMatchObject({
        name: 'Flag active',
        runAsUserId: owner.user.id,
        createdByUserId: owner.user.id,
        enabled: true,
        consecutiveFailures: 0,
        version: 1,
      });
      const [row] = await t.dataSource.query<{ organization_id: string; trigger: unknown }[]>(
        'SELECT organization_id, trigger FROM automation_rules WHERE id = $1',
        [rule.id],
      );
      expect(row).toEqual({
        organization_id: owner.organization.id,
        trigger: { type: 'field.changed', field: 'status', to: 'active' },
      });
      const audit = await t.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_logs WHERE entity_type = 'automation_rule' AND entity_id = $1`,
        [rule.id],
      );
      expect(audit.map((a) => a.action)).toEqual(['create']);

      const one = await member.get(`/api/v1/automation-rules/${rule.id}`).expect(200);
      expect(one.headers.etag).toBe('"1"');
      const list = await member.get('/api/v1/automation-rules?entityType=product').expect(200);
      expect((list.body as { items: Rule[] }).items.map((r) => r.id)).toContain(rule.id);

      await owner
        .patch(`/api/v1/automation-rules/${rule.id}`)
        .set('If-Match', '"7"')
        .send({ name: 'Stale' })
        .expect(412);
      const patched = await owner
        .patch(`/api/v1/automation-rules/${rule.id}`)
        .set('If-Match', '"1"')
        .send({ name: 'Flag live products', delaySeconds: 0 })
        .expect(200);
      expect(patched.body).toMatchObject({ name: 'Flag live products', version: 2 });

      const off = await owner.post(`/api/v1/automation-rules/${rule.id}/disable`).expect(200);
      expect(off.body).toMatchObject({ enabled: false, version: 3 });
      const on = await owner.post(`/api/v1/automation-rules/${rule.id}/enable`).expect(200);
      expect(on.body).toMatchObject({ enabled: true, version: 4 });

      await owner.delete(`/api/v1/automation-rules/${rule.id}`).set('If-Match', '"4"').expect(204);
      expect(
        await t.dataSource.query('SELECT 1 FROM automation_rules WHERE id = $1', [rule.id]),
      ).toEqual([]);
    });

    it('answers 422 and writes nothing for a bad trigger, condition, action or run-as user', async () => {
      const before = await ruleCount(owner.organization.id);
      const bad = async (body: Record<string, unknown>) =>
        errorsOf(
          await owner
            .post('/api/v1/automation-rules')
            .send({
              name: 'Bad',
              entityType: 'product',
              trigger: { type: 'record.updated' },
              actions: [{ type: 'add_tag', params: { names: ['x'] } }],
              ...body,
            })
            .expect(422),
        );

      expect(await bad({ trigger: { type: 'sometimes' } })).toEqual([
        expect.objectContaining({
          code: 'validation_error',
          source: { pointer: '/trigger/type' },
        }),
      ]);
      expect(await bad({ trigger: { type: 'field.changed' } })).toEqual([
        expect.objectContaining({ source: { pointer: '/trigger/field' } }),
      ]);
      expect(await bad({ trigger: { type: 'field.changed', field: 'colour' } })).toEqual([
        expect.objectContaining({ source: { pointer: '/trigger/field' } }),
      ]);
      const [filter] = await bad({ condition: { field: 'nope', op: 'eq', value: 'x' } });
      expect(filter).toMatchObject({
        code: 'invalid_filter',
        source: { parameter: 'condition' },
      });
      expect(await bad({ actions: [{ type: 'add_tag', params: { names: 'x' } }] })).toEqual([
        expect.objectContaining({ source: { pointer: '/actions/0/params/names' } }),
      ]);
      expect(
        await bad({
          actions: [
            { type: 'add_tag', params: { names: ['ok'] } },
            { type: 'update_record', params: { fields: { price: 'cheap', sku: 'X' } } },
          ],
        }),
      ).toEqual([expect.objectContaining({ source: { pointer: '/actions/1/params/fields/sku' } })]);
      expect(
        await bad({ actions: [{ type: 'update_record', params: { fields: { price: 'cheap' } } }] }),
      ).toEqual([
        expect.objectContaining({ source: { pointer: '/actions/0/params/fields/price' } }),
      ]);
      expect((await bad({ actions: [{ type: 'rm_rf', params: {} }] }))[0]).toMatchObject({
        code: 'unknown_action',
        source: { pointer: '/actions/0/type' },
      });
      expect((await bad({ entityType: 'spaceship' }))[0]).toMatchObject({
        code: 'unknown_entity_type',
      });
      // Another tenant's user is never accepted as run-as user.
      expect((await bad({ runAsUserId: other.user.id }))[0]).toMatchObject({
        code: 'invalid_run_as_user',
        source: { pointer: '/runAsUserId' },
      });
      expect((await bad({ name: 'Nul\u0000' }))[0].code).toBe('validation_error');
      expect(
        (
          await bad({
            actions: Array.from({ length: 21 }, () => ({ type: 'add_tag', params: {} })),
          })
        )[0].code,
      ).toBe('validation_error');
      expect(await ruleCount(owner.organization.id)).toBe(before);
    });

    it('refuses callers without the permission (403) and another tenant’s rules (404)', async () => {
      const rule = await createRule({});
      await viewer.get('/api/v1/automation-rules').expect(403);
      await viewer.get(`/api/v1/automation-rules/${rule.id}`).expect(403);
      await viewer.get('/api/v1/automation-runs').expect(403);
      await viewer.get('/api/v1/automation/catalog').expect(403);
      await member
        .post('/api/v1/automation-rules')
        .send({
          name: 'x',
          entityType: 'product',
          trigger: { type: 'manual' },
          actions: [{ type: 'add_tag', params: { names: ['x'] } }],
        })
        .expect(403);
      await member.patch(`/api/v1/automation-rules/${rule.id}`).send({ name: 'x' }).expect(403);
      await member.delete(`/api/v1/automation-rules/${rule.id}`).expect(403);
      await member.post(`/api/v1/automation-rules/${rule.id}/disable`).expect(403);
      await member.post(`/api/v1/automation-rules/${rule.id}/run`).send({}).expect(403);

      const theirs = await product(other);
      await other.get(`/api/v1/automation-rules/${rule.id}`).expect(404);
      await other.patch(`/api/v1/automation-rules/${rule.id}`).send({ name: 'x' }).expect(404);
      await other.delete(`/api/v1/automation-rules/${rule.id}`).expect(404);
      await other.post(`/api/v1/automation-rules/${rule.id}/enable`).expect(404);
      await other
        .post(`/api/v1/automation-rules/${rule.id}/test`)
        .send({ entityId: theirs.id })
        .expect(404);
      await other.post(`/api/v1/automation-rules/${rule.id}/run`).send({}).expect(404);
      // A record of another tenant is not a record of the rule's organization.
      await owner
        .post(`/api/v1/automation-rules/${rule.id}/test`)
        .send({ entityId: theirs.id })
        .expect(404);
      await owner
        .post(`/api/v1/automation-rules/${rule.id}/run`)
        .send({ entityId: theirs.id })
        .expect(404);
      const rows = await t.dataSource.query<{ name: string }[]>(
        'SELECT name FROM automation_rules WHERE id = $1',
        [rule.id],
      );
      expect(rows).toEqual([{ name: rule.name }]);
    });

    it('replays a create retried with the same Idempotency-Key; concurrent edits of one version: one wins', async () => {
      const key = randomUUID();
      const body = {
        name: 'Once',
        entityType: 'product',
        trigger: { type: 'manual' },
        actions: [{ type: 'add_tag', params: { names: ['once'] } }],
      };
      const first = await owner
        .post('/api/v1/automation-rules')
        .set('Idempotency-Key', key)
        .send(body)
        .expect(201);
      const again = await owner
        .post('/api/v1/automation-rules')
        .set('Idempotency-Key', key)
        .send(body)
        .expect(201);
      expect((again.body as Rule).id).toBe((first.body as Rule).id);
      const id = (first.body as Rule).id;
      const results = await Promise.all(
        ['A', 'B', 'C'].map((name) =>
          owner.patch(`/api/v1/automation-rules/${id}`).set('If-Match', '"1"').send({ name }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
      const [row] = await t.dataSource.query<{ version: number }[]>(
        'SELECT version FROM automation_rules WHERE id = $1',
        [id],
      );
      expect(row.version).toBe(2);
    });

    it('publishes the catalog of triggers and actions with their schemas', async () => {
      const res = await member.get('/api/v1/automation/catalog').expect(200);
      const body = res.body as {
        entityTypes: string[];
        triggers: { type: string }[];
        actions: { name: string; paramsSchema: object }[];
      };
      expect(body.entityTypes).toEqual(expect.arrayContaining(['contact', 'product']));
      expect(body.triggers.map((x) => x.type)).toEqual(
        expect.arrayContaining(['record.created', 'field.changed', 'manual']),
      );
      expect(body.actions.map((a) => a.name)).toEqual(
        expect.arrayContaining([
          'add_follower',
          'add_tag',
          'notify',
          'send_email',
          'update_record',
        ]),
      );
    });
  });

  describe('triggering and running', () => {
    it('runs a rule once per event when a product goes active, even if the event is delivered twice', async () => {
      const { me } = await fresh();
      const rule = await createRuleAs(me, {
        trigger: { type: 'field.changed', field: 'status', to: 'active' },
        actions: [{ type: 'update_record', params: { fields: { description: 'Now live' } } }],
      });
      const p = await product(me);
      await me.patch(`/api/v1/products/${p.id}`).send({ name: 'Renamed' }).expect(200);
      await me.patch(`/api/v1/products/${p.id}`).send({ status: 'active' }).expect(200);
      const runs = await until(
        () => runsOf(rule.id),
        (r) => r.length === 1 && finished(r),
      );
      expect(runs[0]).toMatchObject({ status: 'succeeded', causation_depth: 0 });
      expect((await productRow(p.id)).description).toBe('Now live');

      const run = (await me.get(`/api/v1/automation-runs/${runs[0].id}`).expect(200)).body as Run;
      expect(run.steps).toEqual([
        expect.objectContaining({ action: 'update_record', status: 'succeeded', error: null }),
      ]);

      // The relay delivers at least once: the same event handed over again fires nothing.
      const replay: DomainEvent = {
        id: '1',
        eventId: runs[0].event_id,
        organizationId: me.organization.id,
        type: 'product.updated',
        entityType: 'product',
        entityId: p.id,
        actorUserId: me.user.id,
        actorApiKeyId: null,
        changedFields: ['status'],
        data: {},
        causationDepth: 0,
        occurredAt: new Date().toISOString(),
        requestId: null,
      };
      const consumer = worker.get(AutomationEventConsumer);
      for (let i = 0; i < 2; i++) {
        const after = await t.dataSource.transaction((m) => consumer.handle(m, [replay]));
        await after();
      }
      expect(await runsOf(rule.id)).toHaveLength(1);
    });

    it('never fires a rule on its own writes, and stops a ping-pong of two rules at depth 3', async () => {
      const { me } = await fresh();
      const self = await createRuleAs(me, {
        name: 'Self',
        trigger: { type: 'record.updated' },
        condition: { field: 'name', op: 'eq', value: 'Self tea' },
        actions: [{ type: 'update_record', params: { fields: { description: 'touched' } } }],
      });
      const a = await createRuleAs(me, {
        name: 'A',
        trigger: { type: 'record.updated' },
        condition: { field: 'name', op: 'eq', value: 'Ping' },
        actions: [{ type: 'update_record', params: { fields: { name: 'Pong' } } }],
      });
      const b = await createRuleAs(me, {
        name: 'B',
        trigger: { type: 'record.updated' },
        condition: { field: 'name', op: 'eq', value: 'Pong' },
        actions: [{ type: 'update_record', params: { fields: { name: 'Ping' } } }],
      });
      const s = await product(me, 'Self tea');
      await me.patch(`/api/v1/products/${s.id}`).send({ price: '2' }).expect(200);
      const p = await product(me, 'Tea');
      await me.patch(`/api/v1/products/${p.id}`).send({ name: 'Ping' }).expect(200);

      const bRuns = await until(
        () => runsOf(b.id),
        (r) => r.some((x) => x.status === 'loop_prevented'),
      );
      const aRuns = await until(
        () => runsOf(a.id),
        (r) => r.length === 2 && finished(r),
      );
      expect(aRuns.map((r) => [r.status, r.causation_depth])).toEqual([
        ['succeeded', 0],
        ['succeeded', 2],
      ]);
      expect(bRuns.map((r) => [r.status, r.causation_depth])).toEqual([
        ['succeeded', 1],
        ['loop_prevented', 3],
      ]);
      // The last write (A at depth 2) published an event of depth 3; nothing deeper exists.
      expect((await productRow(p.id)).name).toBe('Pong');
      const selfRuns = await until(
        () => runsOf(self.id),
        (r) => r.length >= 1 && finished(r),
      );
      expect(selfRuns.map((r) => r.status)).toEqual(['succeeded']);
      expect((await productRow(s.id)).description).toBe('touched');
      // The relay has delivered everything: still one run of Self, none deeper than 3.
      await until(
        () => t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM domain_events'),
        (rows) => rows[0].n === '0',
      );
      expect(await runsOf(self.id)).toHaveLength(1);
      const deepest = await t.dataSource.query<{ d: number }[]>(
        'SELECT max(causation_depth) AS d FROM automation_runs WHERE organization_id = $1',
        [me.organization.id],
      );
      expect(deepest[0].d).toBeLessThanOrEqual(3);
    });

    it('dry-runs a rule on a record and writes nothing', async () => {
      const { me, meMember } = await fresh();
      const rule = await createRuleAs(me, {
        condition: { field: 'name', op: 'icontains', value: 'dry' },
        actions: [
          { type: 'update_record', params: { fields: { description: 'would' } } },
          { type: 'add_tag', params: { names: ['dry'] } },
          { type: 'notify', params: { userIds: [meMember.user.id], title: 'Dry' } },
        ],
      });
      const p = await product(me, 'Dry tea');
      const q = await product(me, 'Wet tea');
      await until(
        () => t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM domain_events'),
        (rows) => rows[0].n === '0',
      );
      const snapshot = () =>
        t.dataSource.query<{ n: string }[]>(
          `SELECT (SELECT count(*) FROM automation_runs) + (SELECT count(*) FROM audit_logs)
                + (SELECT count(*) FROM domain_events) + (SELECT count(*) FROM notifications)
                + (SELECT count(*) FROM taggings) AS n,
                  (SELECT version FROM products WHERE id = $1) AS v`,
          [p.id],
        );
      const before = await snapshot();
      const res = await me
        .post(`/api/v1/automation-rules/${rule.id}/test`)
        .send({ entityId: p.id })
        .expect(200);
      expect(res.body).toEqual({
        matched: true,
        steps: [
          expect.objectContaining({ action: 'update_record', status: 'succeeded' }),
          expect.objectContaining({ action: 'add_tag', status: 'succeeded' }),
          expect.objectContaining({ action: 'notify', status: 'succeeded' }),
        ],
      });
      const miss = await me
        .post(`/api/v1/automation-rules/${rule.id}/test`)
        .send({ entityId: q.id })
        .expect(200);
      expect(miss.body).toEqual({ matched: false, steps: [] });
      expect(await snapshot()).toEqual(before);
    });

    it('fails the step of a run-as user who lost the permission; 10 failed runs disable the rule; retry re-runs only the failed step', async () => {
      const { me, meMember } = await fresh();
      const p = await product(me);
      const rule = await createRuleAs(me, {
        trigger: { type: 'manual' },
        runAsUserId: meMember.user.id,
        actions: [
          { type: 'notify', params: { userIds: [me.user.id], title: 'Step one' } },
          { type: 'update_record', params: { fields: { description: 'By rule' } } },
        ],
      });
      const stepOnes = async () =>
        (
          await t.dataSource.query<{ n: string }[]>(
            `SELECT count(*) AS n FROM notifications WHERE recipient_user_id = $1 AND title = 'Step one'`,
            [me.user.id],
          )
        )[0].n;
      // The run-as member loses products:manage (Member → Viewer) after the rule was saved.
      const [viewerRole] = await t.dataSource.query<{ id: string }[]>(
        `SELECT id FROM roles WHERE organization_id IS NULL AND name = 'Viewer'`,
      );
      const membership = (
        (await me.get(`/api/v1/memberships?userId=${meMember.user.id}`).expect(200)).body as {
          items: { id: string }[];
        }
      ).items[0];
      await me
        .patch(`/api/v1/memberships/${membership.id}`)
        .send({ roleIds: [viewerRole.id] })
        .expect(200);
      const manual = async () =>
        (
          (
            await me
              .post(`/api/v1/automation-rules/${rule.id}/run`)
              .send({ entityId: p.id })
              .expect(202)
          ).body as { runId: string }
        ).runId;

      const first = await manual();
      const failed = await until(
        async () => (await me.get(`/api/v1/automation-runs/${first}`).expect(200)).body as Run,
        (run) => run.status === 'failed',
      );
      expect(failed.steps).toEqual([
        expect.objectContaining({ action: 'notify', status: 'succeeded' }),
        expect.objectContaining({
          action: 'update_record',
          status: 'failed',
          error: expect.objectContaining({ code: 'permission_denied' }) as unknown,
        }),
      ]);
      expect((await productRow(p.id)).description).not.toBe('By rule');

      for (let i = 1; i < 10; i++) {
        const id = await manual();
        await until(
          () => runsOf(rule.id),
          (rows) => rows.some((r) => r.id === id && r.status === 'failed'),
        );
      }
      const disabled = (await me.get(`/api/v1/automation-rules/${rule.id}`).expect(200))
        .body as Rule;
      expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: 10 });
      expect(disabled.disabledReason).toMatch(/10 consecutive/);
      const notices = await t.dataSource.query<{ type: string }[]>(
        `SELECT type FROM notifications WHERE recipient_user_id = $1 AND type = 'automation.notify'
            AND title <> 'Step one'`,
        [me.user.id],
      );
      expect(notices).toHaveLength(1);
      const refused = await me
        .post(`/api/v1/automation-rules/${rule.id}/run`)
        .send({ entityId: p.id })
        .expect(409);
      expect(errorsOf(refused)[0].code).toBe('rule_disabled');

      // Fix the rule (run as the owner), enable it, retry the first failed run: it succeeds.
      const fixed = await me
        .patch(`/api/v1/automation-rules/${rule.id}`)
        .send({ runAsUserId: me.user.id, enabled: true })
        .expect(200);
      expect(fixed.body).toMatchObject({
        enabled: true,
        consecutiveFailures: 0,
        disabledReason: null,
      });
      await meMember.post(`/api/v1/automation-runs/${first}/retry`).expect(403);
      await other.post(`/api/v1/automation-runs/${first}/retry`).expect(404);
      await other.get(`/api/v1/automation-runs/${first}`).expect(404);
      const retried = await me.post(`/api/v1/automation-runs/${first}/retry`).expect(202);
      expect(retried.body).toEqual({ runId: first });
      const done = await until(
        async () => (await me.get(`/api/v1/automation-runs/${first}`).expect(200)).body as Run,
        (run) => run.status === 'succeeded',
      );
      expect(done.steps).toEqual([
        expect.objectContaining({ action: 'notify', status: 'succeeded' }),
        expect.objectContaining({ action: 'update_record', status: 'succeeded' }),
      ]);
      // Step one ran once per run (10 runs), and the retry did not run it again.
      expect(await stepOnes()).toBe('10');
      expect((await productRow(p.id)).description).toBe('By rule');
      const again = await me.post(`/api/v1/automation-runs/${first}/retry`).expect(409);
      expect(errorsOf(again)[0].code).toBe('run_not_retryable');

      const page = await me
        .get(`/api/v1/automation-runs?ruleId=${rule.id}&status=failed`)
        .expect(200);
      expect((page.body as { total: number }).total).toBe(9);
      await me.get('/api/v1/automation-runs?status=sometimes').expect(422);
      await other.get(`/api/v1/automation-runs?ruleId=${rule.id}`).expect(200, {
        items: [],
        total: 0,
        page: 1,
        size: 20,
        pages: 0,
      });
    });

    it('fires a date_relative rule once per (rule, record, day), however many sweeps run', async () => {
      const { me } = await fresh();
      const bad = await me.post('/api/v1/automation-rules').send({
        name: 'Not a date',
        entityType: 'product',
        trigger: { type: 'date_relative', field: 'name', offsetDays: 0 },
        actions: [{ type: 'add_tag', params: { names: ['x'] } }],
      });
      expect(bad.status).toBe(422);
      expect(errorsOf(bad)[0].source).toEqual({ pointer: '/trigger/field' });
      const p = await product(me, 'Fresh tea');
      await product(me, 'Old tea');
      const rule = await createRuleAs(me, {
        trigger: { type: 'date_relative', field: 'createdAt', offsetDays: 0 },
        condition: { field: 'name', op: 'eq', value: 'Fresh tea' },
        actions: [{ type: 'add_tag', params: { names: ['fresh'] } }],
      });
      const sweep = worker.get(AutomationDateSweep);
      await sweep.flush();
      await sweep.flush();
      const runs = await until(
        () => runsOf(rule.id),
        (rows) => rows.length === 1 && finished(rows),
      );
      expect(runs[0].status).toBe('succeeded');
      const tags = await me.get(`/api/v1/taggings/product/${p.id}`).expect(200);
      expect(tags.body).toEqual({ tags: ['fresh'] });
    });

    it('runs a schedule rule through its schedules row, at least 5 minutes apart', async () => {
      const { me, meMember } = await fresh();
      const tooOften = await me.post('/api/v1/automation-rules').send({
        name: 'Every minute',
        entityType: 'product',
        trigger: { type: 'schedule', cron: '* * * * *' },
        actions: [{ type: 'notify', params: { userIds: [meMember.user.id], title: 'Tick' } }],
      });
      expect(tooOften.status).toBe(422);
      expect(errorsOf(tooOften)[0].source).toEqual({ pointer: '/trigger/cron' });
      const rule = await createRuleAs(me, {
        trigger: { type: 'schedule', cron: '*/5 * * * *' },
        actions: [{ type: 'notify', params: { userIds: [meMember.user.id], title: 'Tick' } }],
      });
      const schedule = () =>
        t.dataSource.query<{ task_name: string; payload: unknown; enabled: boolean }[]>(
          'SELECT task_name, payload, enabled FROM schedules WHERE id = $1',
          [rule.id],
        );
      expect(await schedule()).toEqual([
        { task_name: 'automation.run', payload: { ruleId: rule.id }, enabled: true },
      ]);
      // Make it due now: the worker's scheduler enqueues the tick, the tick records and runs.
      await t.dataSource.query(
        `UPDATE schedules SET next_run_at = now() - interval '1 second' WHERE id = $1`,
        [rule.id],
      );
      const runs = await until(
        () => runsOf(rule.id),
        (rows) => rows.length === 1 && finished(rows),
      );
      expect(runs[0].status).toBe('succeeded');
      const notified = await t.dataSource.query<{ title: string }[]>(
        `SELECT title FROM notifications WHERE recipient_user_id = $1 AND type = 'automation.notify'`,
        [meMember.user.id],
      );
      expect(notified).toEqual([{ title: 'Tick' }]);

      await me.post(`/api/v1/automation-rules/${rule.id}/disable`).expect(200);
      expect((await schedule())[0].enabled).toBe(false);
      await me.delete(`/api/v1/automation-rules/${rule.id}`).expect(204);
      expect(await schedule()).toEqual([]);
    });

    it('comments, schedules an activity, tags, follows and e-mails as the run-as user', async () => {
      const { me, meMember } = await fresh();
      const p = await product(me);
      const rule = await createRuleAs(me, {
        trigger: { type: 'manual' },
        actions: [
          { type: 'create_comment', params: { body: 'Checked by a rule' } },
          { type: 'create_activity', params: { summary: 'Call back', dueInDays: 3 } },
          { type: 'add_tag', params: { names: ['checked'] } },
          { type: 'add_follower', params: { userId: meMember.user.id } },
          {
            type: 'send_email',
            params: { userIds: [meMember.user.id], subject: 'Hi', body: 'Done' },
          },
        ],
      });
      const { runId } = (
        await me
          .post(`/api/v1/automation-rules/${rule.id}/run`)
          .send({ entityId: p.id })
          .expect(202)
      ).body as { runId: string };
      const run = await until(
        async () => (await me.get(`/api/v1/automation-runs/${runId}`).expect(200)).body as Run,
        (r) => r.status === 'succeeded' || r.status === 'failed',
      );
      expect(run.steps.map((s) => [s.action, s.status])).toEqual([
        ['create_comment', 'succeeded'],
        ['create_activity', 'succeeded'],
        ['add_tag', 'succeeded'],
        ['add_follower', 'succeeded'],
        ['send_email', 'succeeded'],
      ]);
      const comments = await t.dataSource.query<{ author_user_id: string; body: string }[]>(
        'SELECT author_user_id, body FROM comments WHERE entity_id = $1',
        [p.id],
      );
      expect(comments).toEqual([{ author_user_id: me.user.id, body: 'Checked by a rule' }]);
      const activities = await t.dataSource.query<{ summary: string }[]>(
        'SELECT summary FROM activities WHERE entity_id = $1',
        [p.id],
      );
      expect(activities).toEqual([{ summary: 'Call back' }]);
      expect((await me.get(`/api/v1/taggings/product/${p.id}`).expect(200)).body).toEqual({
        tags: ['checked'],
      });
      const followers = await t.dataSource.query<{ user_id: string }[]>(
        'SELECT user_id FROM followers WHERE entity_id = $1',
        [p.id],
      );
      expect(followers.map((f) => f.user_id)).toContain(meMember.user.id);
      // The tag change is audited on the product as the run-as user.
      const audit = await t.dataSource.query<{ actor_user_id: string }[]>(
        `SELECT actor_user_id FROM audit_logs WHERE entity_type = 'product' AND entity_id = $1
          AND action = 'update'`,
        [p.id],
      );
      expect(audit).toEqual([{ actor_user_id: me.user.id }]);
    });

    it('updates a contact on creation through the contacts service; keeps runs 90 days', async () => {
      const { me } = await fresh();
      const rule = await createRuleAs(me, {
        entityType: 'contact',
        trigger: { type: 'record.created' },
        condition: { field: 'displayName', op: 'startswith', value: 'VIP' },
        actions: [{ type: 'update_record', params: { fields: { companyName: 'Key account' } } }],
      });
      const vip = (
        await me
          .post('/api/v1/contacts')
          .send({ kind: 'person', displayName: 'VIP Ada' })
          .expect(201)
      ).body as { id: string };
      await me.post('/api/v1/contacts').send({ kind: 'person', displayName: 'Bob' }).expect(201);
      const runs = await until(
        () => runsOf(rule.id),
        (rows) => rows.length === 1 && finished(rows),
      );
      expect(runs[0].status).toBe('succeeded');
      const [contact] = await t.dataSource.query<{ company_name: string; version: number }[]>(
        'SELECT company_name, version FROM contacts WHERE id = $1',
        [vip.id],
      );
      expect(contact).toEqual({ company_name: 'Key account', version: 2 });

      // Retention: a run older than 90 days goes, a recent one stays.
      await t.dataSource.query(
        `UPDATE automation_runs SET created_at = now() - interval '91 days' WHERE id = $1`,
        [runs[0].id],
      );
      const swept = await worker.get(AutomationMaintenance).sweep();
      expect(swept.deleted).toBeGreaterThanOrEqual(1);
      expect(await runsOf(rule.id)).toEqual([]);
    });

    it('a run-as user who left fails the run at once', async () => {
      const { me } = await fresh();
      const leaver = await addActor(t, me.organization, ['Member']);
      const p = await product(me);
      const rule = await createRuleAs(me, {
        trigger: { type: 'manual' },
        runAsUserId: leaver.user.id,
      });
      await t.dataSource.query(
        'UPDATE memberships SET suspended_at = now() WHERE user_id = $1 AND organization_id = $2',
        [leaver.user.id, me.organization.id],
      );
      const { runId } = (
        await me
          .post(`/api/v1/automation-rules/${rule.id}/run`)
          .send({ entityId: p.id })
          .expect(202)
      ).body as { runId: string };
      const run = await until(
        async () => (await me.get(`/api/v1/automation-runs/${runId}`).expect(200)).body as Run,
        (r) => r.status === 'failed',
      );
      expect((run as unknown as { error: { code: string } }).error.code).toBe(
        'run_as_user_inactive',
      );
      expect(uuidv7()).toBeTruthy();
    });
  });
});
