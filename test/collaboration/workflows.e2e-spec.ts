import { randomUUID } from 'node:crypto';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { Principal } from '../../src/core/auth';
import { AutomationActionRegistry } from '../../src/core/automation';
import { DomainEvent, DomainEventConsumers } from '../../src/modules/domain-events';
import { addActor, createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: {
    code: string;
    source?: { pointer?: string; parameter?: string };
    meta?: Record<string, unknown>;
  }[];
}
interface Workflow {
  id: string;
  entityType: string;
  name: string;
  revision: number;
  status: string;
  states: {
    id: string;
    code: string;
    isInitial: boolean;
    isFinal: boolean;
    editRoleIds: string[];
  }[];
  transitions: { action: string; from: string; to: string; minApprovals: number }[];
  version: number;
}
interface Instance {
  instanceId: string | null;
  workflowId: string;
  workflowRevision: number;
  state: string;
  isFinal: boolean;
  editable: boolean;
  history: {
    action: string;
    from: string;
    to: string;
    actorUserId: string | null;
    comment: string | null;
  }[];
  actions: {
    action: string;
    to: string;
    minApprovals: number;
    approvals: number;
    approvedByYou: boolean;
    needsMoreApprovals: boolean;
  }[];
  version: number;
}

/** Every event the worker's relay delivered (the outbox rows are deleted once relayed). */
const delivered: DomainEvent[] = [];

@Injectable()
class DeliveredEventsProbe implements OnModuleInit {
  constructor(private readonly consumers: DomainEventConsumers) {}

  onModuleInit(): void {
    this.consumers.register({
      name: 'workflows-test-probe',
      handle: (_manager, events) => {
        delivered.push(...events);
        return Promise.resolve();
      },
    });
  }
}

@Module({ providers: [DeliveredEventsProbe] })
class DeliveredEventsProbeModule {}

/**
 * Workflows and approvals (SPEC-P3 §7): definitions, activation rules, the purchase-style approval
 * end to end, the approver race, `locked_by_workflow` on every write path of products (and a
 * contact), the inbox, and the code lifecycle of products on the shared state machine.
 */
describe('workflows and approvals (SPEC-P3 §7)', () => {
  let t: TestApp;
  let owner: Actor; // Owner (+ Approver, to prove self-approval is refused)
  let approver1: Actor; // Member + Approver
  let approver2: Actor; // Member + Approver
  let member: Actor; // Member: workflows:read, products:manage, not an approver
  let viewer: Actor; // Viewer: workflows:read, products:read
  let other: Actor; // another tenant
  const roles: Record<string, string> = {};

  const errorsOf = (res: { body: unknown }) => (res.body as Envelope).errors;
  const codeOf = (res: { body: unknown }) => errorsOf(res)[0].code;
  const countRows = async (table: string, orgId: string) =>
    (
      await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM ${table} WHERE organization_id = $1`,
        [orgId],
      )
    )[0].n;
  const product = async (price: string, actor: Actor = owner) => {
    const res = await actor.post('/api/v1/products').send({
      sku: `WF-${randomUUID().slice(0, 8)}`,
      name: 'Workflow tea',
      type: 'goods',
      price,
      currencyCode: 'EUR',
      uomCode: 'pc',
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; version: number; status: string };
  };
  const instanceOf = async (actor: Actor, id: string, type = 'product') =>
    (await actor.get(`/api/v1/workflow-instances/${type}/${id}`).expect(200)).body as Instance;
  const act = (
    actor: Actor,
    id: string,
    body: Record<string, unknown>,
    version?: number,
    type = 'product',
  ) => {
    const req = actor.post(`/api/v1/workflow-instances/${type}/${id}/transitions`);
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    return req.send(body);
  };

  /** The purchase-style definition of the acceptance test. */
  const purchase = () => ({
    entityType: 'product',
    name: 'Purchase approval',
    states: [
      { code: 'draft', isInitial: true, editRoleIds: [roles.Owner, roles.Member] },
      { code: 'pending_approval' },
      { code: 'approved', editRoleIds: [roles.Owner] },
      { code: 'active', isFinal: true, editRoleIds: [roles.Owner] },
    ],
    transitions: [
      {
        action: 'submit',
        from: 'draft',
        to: 'pending_approval',
        condition: { field: 'price', op: 'gte', value: '5000' },
      },
      {
        action: 'activate',
        from: 'draft',
        to: 'active',
        condition: { field: 'price', op: 'lt', value: '5000' },
      },
      {
        action: 'approve',
        from: 'pending_approval',
        to: 'approved',
        allowedRoleIds: [roles.Approver],
        minApprovals: 2,
        allowSelfApproval: false,
      },
      {
        action: 'reject',
        from: 'pending_approval',
        to: 'draft',
        allowedRoleIds: [roles.Approver],
        requireComment: true,
      },
      { action: 'publish', from: 'approved', to: 'active', allowedRoleIds: [roles.Owner] },
    ],
  });
  const createWorkflow = async (body: Record<string, unknown>, actor: Actor = owner) => {
    const res = await actor.post('/api/v1/workflows').send(body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Workflow;
  };
  let active: Workflow;

  /** A background task once it stopped running (polls its committed state). */
  const settled = async (taskId: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const task = (await owner.get(`/api/v1/tasks/${taskId}`).expect(200)).body as {
        state: string;
        error: unknown;
      };
      if (task.state === 'completed' || task.state === 'failed') return task;
      if (Date.now() > deadline) throw new Error('task did not finish');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.startWorker([DeliveredEventsProbeModule]);
    owner = await createTenant(t);
    const role = await owner
      .post('/api/v1/roles')
      .send({ name: 'Approver', permissions: ['products:read', 'workflows:read'] })
      .expect(201);
    roles.Approver = (role.body as { id: string }).id;
    for (const name of ['Owner', 'Member', 'Viewer']) {
      const [row] = await t.dataSource.query<{ id: string }[]>(
        'SELECT id FROM roles WHERE organization_id IS NULL AND name = $1',
        [name],
      );
      roles[name] = row.id;
    }
    await t.dataSource.query(
      `INSERT INTO membership_roles (membership_id, role_id)
       SELECT id, $2 FROM memberships WHERE user_id = $1`,
      [owner.user.id, roles.Approver],
    );
    approver1 = await addActor(t, owner.organization, ['Member', 'Approver']);
    approver2 = await addActor(t, owner.organization, ['Member', 'Approver']);
    member = await addActor(t, owner.organization, ['Member']);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    other = await createTenant(t);
  });
  afterAll(async () => t.close());

  describe('definitions', () => {
    it('creates a draft with its graph, audited; reads and lists it', async () => {
      const res = await owner.post('/api/v1/workflows').send(purchase()).expect(201);
      const created = res.body as Workflow;
      expect(res.headers.location).toBe(`/api/v1/workflows/${created.id}`);
      expect(created).toMatchObject({
        entityType: 'product',
        status: 'draft',
        revision: 1,
        version: 1,
      });
      expect(created.states.map((s) => s.code)).toEqual([
        'draft',
        'pending_approval',
        'approved',
        'active',
      ]);
      expect(created.states[1].editRoleIds).toEqual([]); // the default: locked
      expect(created.transitions.find((x) => x.action === 'approve')).toMatchObject({
        minApprovals: 2,
      });
      const rows = await t.dataSource.query<{ code: string }[]>(
        'SELECT code FROM workflow_states WHERE workflow_id = $1 ORDER BY position',
        [created.id],
      );
      expect(rows.map((r) => r.code)).toEqual(['draft', 'pending_approval', 'approved', 'active']);
      const [audit] = await t.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_logs WHERE entity_type = 'workflow' AND entity_id = $1`,
        [created.id],
      );
      expect(audit.action).toBe('create');
      const one = await viewer.get(`/api/v1/workflows/${created.id}`).expect(200);
      expect(one.headers.etag).toBe('"1"');
      const list = await viewer
        .get('/api/v1/workflows?entityType=product&status=draft')
        .expect(200);
      expect((list.body as { items: Workflow[] }).items.map((w) => w.id)).toContain(created.id);
      active = created;
    });

    it('refuses bad definitions with 422 and writes nothing', async () => {
      const before = await countRows('workflows', owner.organization.id);
      const bad = [
        { ...purchase(), states: [] },
        { ...purchase(), entityType: 'spaceship' },
        { ...purchase(), name: '   ' },
        { ...purchase(), name: 'x\u0000y' },
        { ...purchase(), states: [{ code: 'Draft Mode' }] },
        { ...purchase(), transitions: [{ action: 'go', from: 'draft', to: 'nowhere' }] },
        {
          ...purchase(),
          transitions: [
            {
              action: 'go',
              from: 'draft',
              to: 'active',
              condition: { field: 'secret', op: 'eq', value: 'x' },
            },
          ],
        },
        {
          ...purchase(),
          transitions: [{ action: 'go', from: 'draft', to: 'active', minApprovals: 0 }],
        },
        { ...purchase(), states: Array.from({ length: 51 }, (_, i) => ({ code: `s${i}` })) },
      ];
      for (const body of bad) {
        const res = await owner.post('/api/v1/workflows').send(body);
        expect(res.status).toBe(422);
      }
      const unknownState = await owner
        .post('/api/v1/workflows')
        .send({ ...purchase(), transitions: [{ action: 'go', from: 'draft', to: 'nowhere' }] })
        .expect(422);
      expect(errorsOf(unknownState)[0]).toMatchObject({
        code: 'invalid_workflow',
        source: { pointer: '/transitions/0/to' },
      });
      expect(await countRows('workflows', owner.organization.id)).toBe(before);
    });

    it('refuses writes without the permission (403) and another tenant’s ids (404)', async () => {
      await member.post('/api/v1/workflows').send(purchase()).expect(403);
      await member.patch(`/api/v1/workflows/${active.id}`).send({ name: 'X' }).expect(403);
      await member.post(`/api/v1/workflows/${active.id}/activate`).expect(403);
      await member.delete(`/api/v1/workflows/${active.id}`).expect(403);
      await other.get(`/api/v1/workflows/${active.id}`).expect(404);
      await other.patch(`/api/v1/workflows/${active.id}`).send({ name: 'X' }).expect(404);
      await other.post(`/api/v1/workflows/${active.id}/activate`).expect(404);
      await other.post(`/api/v1/workflows/${active.id}/revisions`).expect(404);
      await other.delete(`/api/v1/workflows/${active.id}`).expect(404);
      const list = await other.get('/api/v1/workflows').expect(200);
      expect((list.body as { total: number }).total).toBe(0);
    });

    it('changes a draft with If-Match (412 when stale), then deletes another draft', async () => {
      const draft = await createWorkflow({ ...purchase(), name: 'Scratch' });
      await owner
        .patch(`/api/v1/workflows/${draft.id}`)
        .set('If-Match', '"9"')
        .send({ name: 'Late' })
        .expect(412);
      const res = await owner
        .patch(`/api/v1/workflows/${draft.id}`)
        .set('If-Match', `"${draft.version}"`)
        .send({
          name: 'Scratch two',
          states: [{ code: 'draft', isInitial: true }],
          transitions: [],
        })
        .expect(200);
      expect(res.body).toMatchObject({ name: 'Scratch two', version: draft.version + 1 });
      expect((res.body as Workflow).states.map((s) => s.code)).toEqual(['draft']);
      await owner.delete(`/api/v1/workflows/${draft.id}`).expect(204);
      await owner.get(`/api/v1/workflows/${draft.id}`).expect(404);
      const [audit] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM audit_logs WHERE entity_type = 'workflow' AND entity_id = $1 AND action = 'delete'`,
        [draft.id],
      );
      expect(audit.n).toBe(1);
    });
  });

  describe('activation validates the graph (422 invalid_workflow, nothing written)', () => {
    const cases: [string, () => Record<string, unknown>, string[]][] = [
      [
        'no initial state',
        () => ({
          states: [{ code: 'draft' }, { code: 'active', isFinal: true }],
          transitions: [{ action: 'go', from: 'draft', to: 'active' }],
        }),
        ['/states'],
      ],
      [
        'two initial states',
        () => ({
          states: [
            { code: 'draft', isInitial: true },
            { code: 'active', isInitial: true, isFinal: true },
          ],
          transitions: [{ action: 'go', from: 'draft', to: 'active' }],
        }),
        ['/states/1/isInitial'],
      ],
      [
        'an unreachable state',
        () => ({
          states: [{ code: 'draft', isInitial: true }, { code: 'active' }, { code: 'approved' }],
          transitions: [{ action: 'go', from: 'draft', to: 'active' }],
        }),
        ['/states/2'],
      ],
      [
        'an exit from a final state',
        () => ({
          states: [
            { code: 'draft', isInitial: true },
            { code: 'active', isFinal: true },
          ],
          transitions: [
            { action: 'go', from: 'draft', to: 'active' },
            { action: 'back', from: 'active', to: 'draft' },
          ],
        }),
        ['/transitions/1/from'],
      ],
      [
        'an unknown status and an unknown role',
        () => ({
          states: [
            { code: 'draft', isInitial: true, editRoleIds: [randomUUID()] },
            { code: 'no_such_status' },
          ],
          transitions: [{ action: 'go', from: 'draft', to: 'no_such_status' }],
        }),
        ['/states/1/code', '/states/0/editRoleIds/0'],
      ],
    ];
    it.each(cases)('%s', async (_name, graph, pointers) => {
      const draft = await createWorkflow({ entityType: 'product', name: 'Broken', ...graph() });
      const res = await owner.post(`/api/v1/workflows/${draft.id}/activate`).expect(422);
      expect(errorsOf(res).every((e) => e.code === 'invalid_workflow')).toBe(true);
      expect(
        errorsOf(res)
          .map((e) => e.source?.pointer)
          .sort(),
      ).toEqual([...pointers].sort());
      const [row] = await t.dataSource.query<{ status: string; version: number }[]>(
        'SELECT status, version FROM workflows WHERE id = $1',
        [draft.id],
      );
      expect(row).toEqual({ status: 'draft', version: 1 });
    });
  });

  describe('the purchase approval end to end', () => {
    let expensive: { id: string };

    beforeAll(async () => {
      const res = await owner
        .post(`/api/v1/workflows/${active.id}/activate`)
        .set('If-Match', '"1"')
        .expect(200);
      expect(res.body).toMatchObject({ status: 'active', version: 2 });
      active = res.body as Workflow;
    });

    it('a record with no instance shows the initial state and the actions its condition allows', async () => {
      const cheap = await product('10.00');
      expensive = await product('7500.00');
      const cheapView = await instanceOf(owner, cheap.id);
      expect(cheapView).toMatchObject({
        instanceId: null,
        state: 'draft',
        version: 0,
        editable: true,
        workflowRevision: 1,
      });
      expect(cheapView.actions.map((a) => a.action)).toEqual(['activate']);
      expect((await instanceOf(owner, expensive.id)).actions.map((a) => a.action)).toEqual([
        'submit',
      ]);
      const activeTotal = async () =>
        ((await owner.get('/api/v1/products?status=active').expect(200)).body as { total: number })
          .total;
      const totalBefore = await activeTotal(); // now cached
      // The cheap one goes straight to active: the product's own status follows.
      const fired = await act(owner, cheap.id, { action: 'activate' }, 0).expect(200);
      // Started on the first transition (version 1), then moved (version 2).
      expect(fired.body).toMatchObject({ state: 'active', isFinal: true, actions: [], version: 2 });
      const [row] = await t.dataSource.query<{ status: string }[]>(
        'SELECT status FROM products WHERE id = $1',
        [cheap.id],
      );
      expect(row.status).toBe('active');
      expect(await activeTotal()).toBe(totalBefore + 1); // the cached total was invalidated
      // The condition of the other path refuses it.
      const wrong = await product('9.00');
      const refused = await act(owner, wrong.id, { action: 'submit' }).expect(409);
      expect(codeOf(refused)).toBe('transition_condition_not_met');
      expect(await instanceOf(owner, wrong.id)).toMatchObject({ instanceId: null });
    });

    it('submits, refuses the wrong role, self-approval and a missing comment, needs two approvers, then publishes', async () => {
      const submitted = await act(owner, expensive.id, { action: 'submit' }, 0).expect(200);
      expect(submitted.body).toMatchObject({ state: 'pending_approval', version: 2 });
      // Pending approval locks the product for everyone (editRoleIds empty).
      expect((submitted.body as Instance).editable).toBe(false);

      const wrongRole = await act(member, expensive.id, { action: 'approve' }).expect(403);
      expect(codeOf(wrongRole)).toBe('transition_not_allowed');
      const self = await act(owner, expensive.id, { action: 'approve' }).expect(403);
      expect(codeOf(self)).toBe('self_approval_not_allowed');
      const noComment = await act(approver1, expensive.id, { action: 'reject' }).expect(422);
      expect(errorsOf(noComment)[0]).toMatchObject({
        code: 'comment_required',
        source: { pointer: '/comment' },
      });
      const unknown = await act(approver1, expensive.id, { action: 'launch' }).expect(422);
      expect(codeOf(unknown)).toBe('unknown_action');
      const notHere = await act(approver1, expensive.id, { action: 'publish' }).expect(409);
      expect(codeOf(notHere)).toBe('transition_not_available');
      await act(approver1, expensive.id, { action: 'approve' }, 7).expect(412);

      // The inbox shows it to approvers only.
      const inbox = async (actor: Actor) =>
        (
          (await actor.get('/api/v1/workflow-actions/pending').expect(200)).body as {
            items: { entityId: string; action: string; approvals: number }[];
          }
        ).items.filter((i) => i.entityId === expensive.id);
      expect((await inbox(approver1)).map((i) => i.action).sort()).toEqual(['approve', 'reject']);
      expect(await inbox(member)).toEqual([]);
      expect(await inbox(viewer)).toEqual([]);
      expect((await inbox(owner)).map((i) => i.action)).toEqual(['reject']); // not its own approval

      const view1 = await instanceOf(approver1, expensive.id);
      expect(view1.actions.find((a) => a.action === 'approve')).toMatchObject({
        approvals: 0,
        needsMoreApprovals: true,
      });
      const first = await act(
        approver1,
        expensive.id,
        { action: 'approve', comment: 'Fine by me' },
        view1.version,
      ).expect(200);
      expect(first.body).toMatchObject({ state: 'pending_approval', version: 3 });
      const again = await act(approver1, expensive.id, { action: 'approve' }).expect(409);
      expect(codeOf(again)).toBe('already_approved');
      expect(await inbox(approver1)).toEqual([expect.objectContaining({ action: 'reject' })]);
      expect((await inbox(approver2)).find((i) => i.action === 'approve')).toMatchObject({
        approvals: 1,
      });

      const view2 = await instanceOf(approver2, expensive.id);
      expect(view2.actions.find((a) => a.action === 'approve')).toMatchObject({
        approvals: 1,
        needsMoreApprovals: false,
      });
      const second = await act(
        approver2,
        expensive.id,
        { action: 'approve' },
        view2.version,
      ).expect(200);
      expect(second.body).toMatchObject({ state: 'approved', version: 4 });
      expect(await inbox(approver2)).toEqual([]);

      await act(approver1, expensive.id, { action: 'publish' }).expect(403);
      const published = await act(owner, expensive.id, { action: 'publish' }, 4).expect(200);
      expect(published.body).toMatchObject({ state: 'active', isFinal: true, actions: [] });
      const final = await act(owner, expensive.id, { action: 'publish' }).expect(409);
      expect(codeOf(final)).toBe('transition_not_available');

      // History, approvals, audit and events in the database.
      const history = (published.body as Instance).history;
      expect(history.map((h) => `${h.action}:${h.from}>${h.to}`)).toEqual([
        'submit:draft>pending_approval',
        'approve:pending_approval>approved',
        'publish:approved>active',
      ]);
      expect(history[1].actorUserId).toBe(approver2.user.id);
      const approvals = await t.dataSource.query<
        { approver_user_id: string; comment: string | null }[]
      >(
        `SELECT a.approver_user_id, a.comment FROM workflow_approvals a
           JOIN workflow_instances i ON i.id = a.instance_id WHERE i.entity_id = $1 ORDER BY a.at`,
        [expensive.id],
      );
      expect(approvals).toEqual([
        { approver_user_id: approver1.user.id, comment: 'Fine by me' },
        { approver_user_id: approver2.user.id, comment: null },
      ]);
      const [{ status }] = await t.dataSource.query<{ status: string }[]>(
        'SELECT status FROM products WHERE id = $1',
        [expensive.id],
      );
      expect(status).toBe('active');
      const audits = await t.dataSource.query<{ action: string; actor_user_id: string }[]>(
        `SELECT a.action, a.actor_user_id FROM audit_logs a JOIN workflow_instances i ON i.id::text = a.entity_id
          WHERE a.entity_type = 'workflow_instance' AND i.entity_id = $1 ORDER BY a.created_at, a.id`,
        [expensive.id],
      );
      expect(audits.map((a) => a.action)).toEqual([
        'transition',
        'approve',
        'transition',
        'transition',
      ]);
      // workflow.transitioned, published in each transaction, delivered by the worker's relay
      // (the outbox row is deleted once relayed).
      const transitioned = () =>
        delivered.filter(
          (e) => e.type === 'workflow.transitioned' && e.data.entityId === expensive.id,
        );
      const deadline = Date.now() + 20_000;
      while (transitioned().length < 3 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(
        transitioned().every((e) => e.actorUserId !== null && e.entityType === 'workflow_instance'),
      ).toBe(true);
      expect(transitioned().map((e) => e.data)).toEqual([
        {
          workflowId: active.id,
          from: 'draft',
          to: 'pending_approval',
          action: 'submit',
          entityType: 'product',
          entityId: expensive.id,
          target: { entityType: 'product', entityId: expensive.id },
        },
        {
          workflowId: active.id,
          from: 'pending_approval',
          to: 'approved',
          action: 'approve',
          entityType: 'product',
          entityId: expensive.id,
          target: { entityType: 'product', entityId: expensive.id },
        },
        {
          workflowId: active.id,
          from: 'approved',
          to: 'active',
          action: 'publish',
          entityType: 'product',
          entityId: expensive.id,
          target: { entityType: 'product', entityId: expensive.id },
        },
      ]);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'transition' AND entity_type = 'product' AND entity_id = $1`,
        [expensive.id],
      );
      expect(n).toBe(1); // the owner's audited status write (draft → active)
    });

    it('the creator of a record is "self" too: refused, and absent from their inbox', async () => {
      const mine = await product('5200.00', approver1); // created by an approver
      await act(owner, mine.id, { action: 'submit' }, 0).expect(200); // started by the owner
      const refused = await act(approver1, mine.id, { action: 'approve' }).expect(403);
      expect(codeOf(refused)).toBe('self_approval_not_allowed');
      const items = (
        (await approver1.get('/api/v1/workflow-actions/pending?size=100').expect(200)).body as {
          items: { entityId: string; action: string }[];
        }
      ).items.filter((i) => i.entityId === mine.id);
      expect(items.map((i) => i.action)).toEqual(['reject']);
      expect((await instanceOf(approver1, mine.id)).actions.map((a) => a.action)).toEqual([
        'reject',
      ]);
    });

    it('workflow.action_required reaches the approvers (worker consumer), not the actor nor others', async () => {
      const deadline = Date.now() + 20_000;
      let rows: { recipient_user_id: string }[] = [];
      while (Date.now() < deadline) {
        rows = await t.dataSource.query<{ recipient_user_id: string }[]>(
          `SELECT recipient_user_id FROM notifications
            WHERE type = 'workflow.action_required' AND entity_id = $1 ORDER BY recipient_user_id`,
          [expensive.id],
        );
        if (rows.length >= 3) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const recipients = rows.map((r) => r.recipient_user_id);
      // submit → approvers (the owner acted); approve → the owner (publish needs Owner).
      expect(recipients).toEqual(
        expect.arrayContaining([approver1.user.id, approver2.user.id, owner.user.id]),
      );
      expect(recipients).not.toContain(member.user.id);
      expect(recipients).not.toContain(viewer.user.id);
    });

    it('two approvers racing on the last approval: one fires, the other gets 409 or 412; one history row', async () => {
      const racer = await product('6000.00');
      await act(owner, racer.id, { action: 'submit' }, 0).expect(200);
      const third = await addActor(t, owner.organization, ['Member', 'Approver']);
      const { version } = await instanceOf(approver1, racer.id);
      await act(approver1, racer.id, { action: 'approve' }, version).expect(200);
      const { version: last } = await instanceOf(approver2, racer.id);
      const [a, b] = await Promise.all([
        act(approver2, racer.id, { action: 'approve' }, last),
        act(third, racer.id, { action: 'approve' }, last),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 412]);
      const [x, y] = await Promise.all([
        act(approver2, racer.id, { action: 'publish' }),
        act(third, racer.id, { action: 'approve' }),
      ]);
      expect([x.status, y.status]).toEqual([403, 409]);
      const rows = await t.dataSource.query<{ action: string }[]>(
        `SELECT h.action FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id
          WHERE i.entity_id = $1 AND h.action = 'approve'`,
        [racer.id],
      );
      expect(rows).toHaveLength(1);
      expect((await instanceOf(owner, racer.id)).state).toBe('approved');
    });

    it('a record in flight keeps its revision when a new one is activated', async () => {
      const inFlight = await product('8000.00');
      await act(owner, inFlight.id, { action: 'submit' }, 0).expect(200);
      const copy = (await owner.post(`/api/v1/workflows/${active.id}/revisions`).expect(201))
        .body as Workflow;
      expect(copy.status).toBe('draft');
      expect(copy.revision).toBeGreaterThan(1);
      await owner.patch(`/api/v1/workflows/${active.id}`).send({ name: 'No' }).expect(409);
      await owner.post(`/api/v1/workflows/${copy.id}/activate`).expect(200);
      const [previous] = await t.dataSource.query<{ status: string }[]>(
        'SELECT status FROM workflows WHERE id = $1',
        [active.id],
      );
      expect(previous.status).toBe('inactive');
      expect(await instanceOf(owner, inFlight.id)).toMatchObject({
        workflowId: active.id,
        workflowRevision: 1,
      });
      const fresh = await product('8000.00');
      expect(await instanceOf(owner, fresh.id)).toMatchObject({
        workflowId: copy.id,
        workflowRevision: copy.revision,
      });
      await owner.delete(`/api/v1/workflows/${active.id}`).expect(409);
      await owner.delete(`/api/v1/workflows/${copy.id}`).expect(409);
      active = { ...active, id: copy.id };
    });

    it('apply_transition (automation): preview writes nothing, run acts as the rule user with its causation', async () => {
      const action = t.app.get(AutomationActionRegistry).get('apply_transition')!;
      expect(action).toBeDefined();
      const record = await product('20.00');
      const actor = {
        kind: 'user',
        userId: member.user.id,
        apiKeyId: null,
        isSuperuser: false,
        organizationId: owner.organization.id,
        permissions: new Set(['products:read', 'products:manage', 'workflows:read']),
        scopeKey: member.user.id,
        language: null,
        organizationLanguage: null,
      } as Principal;
      const ruleId = randomUUID();
      const runId = randomUUID();
      const ctx = {
        organizationId: owner.organization.id,
        actor,
        context: {
          actorUserId: member.user.id,
          actorApiKeyId: null,
          requestId: runId,
          ip: null,
          causation: { depth: 1, automationRuleId: ruleId, automationRunId: runId },
        },
        target: { entityType: 'product', entityId: record.id },
        event: null,
        ruleId,
        runId,
      };
      const preview = await action.preview(ctx, { action: 'activate' });
      expect(preview).toEqual({
        status: 'succeeded',
        output: { allowed: true, from: 'draft', to: 'active' },
      });
      expect(await instanceOf(owner, record.id)).toMatchObject({
        instanceId: null,
        state: 'draft',
      });
      // Run-time checks: a role the rule user lacks is refused like over HTTP.
      const pending = await product('7000.00');
      await act(owner, pending.id, { action: 'submit' }, 0).expect(200);
      await expect(
        action.run(
          { ...ctx, target: { entityType: 'product', entityId: pending.id } },
          { action: 'approve' },
        ),
      ).rejects.toMatchObject({ code: 'transition_not_allowed' });
      const ran = await action.run(ctx, { action: 'activate' });
      expect(ran.output).toMatchObject({ state: 'active' });
      const deadline = Date.now() + 20_000;
      const ours = () =>
        delivered.find((e) => e.type === 'workflow.transitioned' && e.data.entityId === record.id);
      while (!ours() && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ours()).toMatchObject({
        causationDepth: 1,
        actorUserId: member.user.id,
        data: {
          causation: { automationRuleId: ruleId, automationRunId: runId },
          action: 'activate',
        },
      });
    });

    it('a retried transition with the same Idempotency-Key is replayed, not applied twice', async () => {
      const record = await product('30.00');
      const key = randomUUID();
      const send = () =>
        owner
          .post(`/api/v1/workflow-instances/product/${record.id}/transitions`)
          .set('Idempotency-Key', key)
          .send({ action: 'activate' });
      const first = await send().expect(200);
      const again = await send().expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const rows = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id
          WHERE i.entity_id = $1`,
        [record.id],
      );
      expect(rows[0].n).toBe(1);
    });

    it('instance routes: 404 for another tenant, an unknown type or a record the caller cannot read; 403 without workflows:read', async () => {
      const mine = await product('5.00');
      await other.get(`/api/v1/workflow-instances/product/${mine.id}`).expect(404);
      await act(other, mine.id, { action: 'activate' }).expect(404);
      await owner.get(`/api/v1/workflow-instances/spaceship/${mine.id}`).expect(404);
      const nul = await owner.get(`/api/v1/workflow-instances/product%00x/${mine.id}`);
      expect([404, 422]).toContain(nul.status);
      await owner.get(`/api/v1/workflow-instances/product/${randomUUID()}`).expect(404);
      await owner.get('/api/v1/workflow-instances/product/not-a-uuid').expect(400);
      const noRole = await addActor(t, owner.organization, []);
      await noRole.get(`/api/v1/workflow-instances/product/${mine.id}`).expect(403);
      await noRole.get('/api/v1/workflow-actions/pending').expect(403);
      await noRole.get('/api/v1/workflows').expect(403);
      await noRole.get(`/api/v1/workflows/${active.id}`).expect(403);
      await member.post(`/api/v1/workflows/${active.id}/revisions`).expect(403);
      const badPage = await owner.get('/api/v1/workflow-actions/pending?size=0');
      expect(badPage.status).toBe(422);
      await act(noRole, mine.id, { action: 'activate' }).expect(403);
      const bad = await act(owner, mine.id, { action: 'Activate!', comment: '   ' }).expect(422);
      expect(codeOf(bad)).toBe('validation_error');
      expect(await instanceOf(owner, mine.id)).toMatchObject({ instanceId: null });
      // A contact has no active workflow: no instance to show.
      const contact = await owner
        .post('/api/v1/contacts')
        .send({ kind: 'person', displayName: 'Ada' })
        .expect(201);
      await owner
        .get(`/api/v1/workflow-instances/contact/${(contact.body as { id: string }).id}`)
        .expect(404);
    });
  });

  describe('locked_by_workflow on every write path', () => {
    let locked: { id: string; version: number };

    beforeAll(async () => {
      await owner
        .post('/api/v1/custom-fields')
        .send({ entityType: 'product', key: 'origin', label: 'Origin', type: 'text' })
        .expect(201);
      const created = await product('9000.00');
      await act(owner, created.id, { action: 'submit' }, 0).expect(200);
      const [row] = await t.dataSource.query<{ version: number }[]>(
        'SELECT version FROM products WHERE id = $1',
        [created.id],
      );
      locked = { id: created.id, version: row.version };
    });

    const expectLocked = async (res: { status: number; body: unknown }) => {
      expect(res.status).toBe(409);
      expect(errorsOf(res)[0]).toMatchObject({
        code: 'locked_by_workflow',
        meta: { entityType: 'product', state: 'pending_approval' },
      });
      const [row] = await t.dataSource.query<
        { version: number; name: string; deleted_at: Date | null }[]
      >('SELECT version, name, deleted_at FROM products WHERE id = $1', [locked.id]);
      expect(row).toEqual({ version: locked.version, name: 'Workflow tea', deleted_at: null });
    };

    it('PATCH, custom field values, DELETE, PUT /taggings and the code lifecycle are refused, even for the owner', async () => {
      await expectLocked(
        await owner.patch(`/api/v1/products/${locked.id}`).send({ name: 'Changed' }),
      );
      await expectLocked(
        await owner
          .patch(`/api/v1/products/${locked.id}`)
          .send({ customFields: { origin: 'Kenya' } }),
      );
      await expectLocked(await owner.delete(`/api/v1/products/${locked.id}`));
      await expectLocked(
        await owner.put(`/api/v1/taggings/product/${locked.id}`).send({ tags: ['urgent'] }),
      );
      await expectLocked(
        await owner.post(`/api/v1/products/${locked.id}/transitions`).send({ action: 'activate' }),
      );
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM taggings WHERE target_id = $1`,
        [locked.id],
      );
      expect(n).toBe(0);
    });

    it('a tag rename reaching a locked record is refused as a whole', async () => {
      const free = await product('1.00');
      await owner
        .put(`/api/v1/taggings/product/${free.id}`)
        .send({ tags: ['shared-tag'] })
        .expect(200);
      // Tagged while a draft, then locked by submitting it.
      const tagged = await product('9500.00');
      await owner
        .put(`/api/v1/taggings/product/${tagged.id}`)
        .send({ tags: ['shared-tag'] })
        .expect(200);
      await act(owner, tagged.id, { action: 'submit' }, 0).expect(200);
      const tag = (await owner.get('/api/v1/tags?q=shared-tag').expect(200)).body as {
        items: { id: string; version: number }[];
      };
      const res = await owner
        .patch(`/api/v1/tags/${tag.items[0].id}`)
        .send({ name: 'renamed-tag' });
      expect(res.status).toBe(409);
      expect(codeOf(res)).toBe('locked_by_workflow');
      const [row] = await t.dataSource.query<{ name: string }[]>(
        'SELECT name FROM tags WHERE id = $1',
        [tag.items[0].id],
      );
      expect(row.name).toBe('shared-tag');
    });

    it('roles listed in editRoleIds may edit; a new record is not locked by creating it', async () => {
      const approved = await product('5500.00');
      await act(owner, approved.id, { action: 'submit' }, 0).expect(200);
      await act(approver1, approved.id, { action: 'approve' }).expect(200);
      await act(approver2, approved.id, { action: 'approve' }).expect(200);
      // "approved" lets Owner edit, not Member.
      const memberEdit = await member
        .patch(`/api/v1/products/${approved.id}`)
        .send({ name: 'By member' });
      expect(memberEdit.status).toBe(409);
      await owner.patch(`/api/v1/products/${approved.id}`).send({ name: 'By owner' }).expect(200);
      // Draft (the initial state, no instance yet) lets Owner and Member edit.
      const fresh = await product('3.00', member);
      await member
        .patch(`/api/v1/products/${fresh.id}`)
        .send({ name: 'Still a draft' })
        .expect(200);
    });

    it('the guard costs no query for a type without an active workflow', async () => {
      const contact = (
        await owner
          .post('/api/v1/contacts')
          .send({ kind: 'person', displayName: 'Bob' })
          .expect(201)
      ).body as { id: string };
      // Warm: the organization's active types are now cached.
      await owner.patch(`/api/v1/contacts/${contact.id}`).send({ notes: 'one' }).expect(200);
      const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
      let statements: string[];
      try {
        spy.mockClear();
        await owner.patch(`/api/v1/contacts/${contact.id}`).send({ notes: 'two' }).expect(200);
        statements = spy.mock.calls.map((call) => String(call[0]));
      } finally {
        spy.mockRestore();
      }
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.some((sql) => /workflow/.test(sql))).toBe(false);
    });

    it('a contact workflow locks contacts: PATCH and an import update are refused', async () => {
      const wf = await createWorkflow({
        entityType: 'contact',
        name: 'Contact review',
        states: [
          { code: 'pending', isInitial: true },
          { code: 'approved', isFinal: true, editRoleIds: [roles.Owner] },
        ],
        transitions: [
          { action: 'approve', from: 'pending', to: 'approved', allowedRoleIds: [roles.Owner] },
        ],
      });
      const contact = (
        await owner
          .post('/api/v1/contacts')
          .send({ kind: 'person', displayName: 'Cy', emails: [{ email: 'cy@example.test' }] })
          .expect(201)
      ).body as { id: string };
      await owner.post(`/api/v1/workflows/${wf.id}/activate`).expect(200);
      const res = await owner.patch(`/api/v1/contacts/${contact.id}`).send({ notes: 'x' });
      expect(res.status).toBe(409);
      expect(errorsOf(res)[0]).toMatchObject({
        code: 'locked_by_workflow',
        meta: { entityType: 'contact', state: 'pending' },
      });
      await owner.delete(`/api/v1/contacts/${contact.id}`).expect(409);
      // An import updating it (onConflict=update, keyed by primary e-mail) fails as a whole.
      const csv =
        'kind,displayName,firstName,lastName,companyName,taxNumber,email,phone,tags,categoryId,notes\n' +
        'person,Cy Imported,,,,,cy@example.test,,,,imported\n';
      const started = await owner
        .post('/api/v1/imports?resource=contacts&mode=commit&onConflict=update')
        .attach('file', Buffer.from(csv), { filename: 'contacts.csv', contentType: 'text/csv' })
        .expect(202);
      const task = await settled((started.body as { taskId: string }).taskId);
      expect(task.state).toBe('failed');
      expect(JSON.stringify(task.error)).toContain('locked');
      const [row] = await t.dataSource.query<{ display_name: string }[]>(
        'SELECT display_name FROM contacts WHERE id = $1',
        [contact.id],
      );
      expect(row.display_name).toBe('Cy');
      const fired = await act(owner, contact.id, { action: 'approve' }, 0, 'contact').expect(200);
      expect(fired.body).toMatchObject({ state: 'approved', editable: true });
      await owner
        .patch(`/api/v1/contacts/${contact.id}`)
        .send({ notes: 'now editable' })
        .expect(200);
    });
  });

  describe('the product code lifecycle on the state machine', () => {
    it('GET lists the actions, POST applies one (If-Match), an action not offered → 422', async () => {
      // Products now run under an active workflow; use another tenant without one.
      const res = await other
        .post('/api/v1/products')
        .send({ sku: 'LC-1', name: 'Lifecycle', type: 'goods' })
        .expect(201);
      const id = (res.body as { id: string }).id;
      const lifecycle = await other.get(`/api/v1/products/${id}/transitions`).expect(200);
      expect(lifecycle.body).toEqual({
        status: 'draft',
        version: 1,
        actions: [{ action: 'activate', to: 'active' }],
      });
      expect(lifecycle.headers.etag).toBe('"1"');
      await other
        .post(`/api/v1/products/${id}/transitions`)
        .set('If-Match', '"5"')
        .send({ action: 'activate' })
        .expect(412);
      const wrong = await other
        .post(`/api/v1/products/${id}/transitions`)
        .send({ action: 'retire' })
        .expect(422);
      expect(errorsOf(wrong)[0]).toMatchObject({
        code: 'invalid_product_action',
        source: { pointer: '/action' },
      });
      await other.post(`/api/v1/products/${id}/transitions`).send({ action: 'fly' }).expect(422);
      const done = await other
        .post(`/api/v1/products/${id}/transitions`)
        .set('If-Match', '"1"')
        .send({ action: 'activate' })
        .expect(200);
      expect(done.body).toMatchObject({ status: 'active', version: 2 });
      const [audit] = await t.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_logs WHERE entity_type = 'product' AND entity_id = $1 ORDER BY created_at DESC LIMIT 1`,
        [id],
      );
      expect(audit.action).toBe('transition');
      await owner.get(`/api/v1/products/${id}/transitions`).expect(404);
      const readOnly = await addActor(t, other.organization, ['Viewer']);
      await readOnly
        .post(`/api/v1/products/${id}/transitions`)
        .send({ action: 'discontinue' })
        .expect(403);
    });
  });
});
