import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import { WakeUps } from '../../src/core/redis';
import { TenantDatabase } from '../../src/core/tenancy';
import { AuditService } from '../../src/modules/audit';
import {
  DomainEvent,
  DomainEventConsumer,
  DomainEventConsumers,
  DomainEventInput,
  DomainEvents,
  DomainEventsRelay,
  DomainEventsRelayOptions,
  DomainEventsRepository,
  OUTBOX_WAKE_UP,
} from '../../src/modules/domain-events';
import { Actor, createTenant, superuserIn } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface EventRow {
  id: string;
  event_id: string;
  organization_id: string;
  type: string;
  entity_type: string;
  entity_id: string;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  changed_fields: string[];
  data: Record<string, unknown>;
  request_id: string | null;
}

const eventsOf = (t: TestApp, entityId: string) =>
  t.dataSource.query<EventRow[]>(
    `SELECT id::text, event_id, organization_id, type, entity_type, entity_id, actor_user_id,
            actor_api_key_id, changed_fields, data, request_id
       FROM domain_events WHERE entity_id = $1 ORDER BY id`,
    [entityId],
  );

const productBody = (sku: string, name: string) => ({ sku, name, description: '', type: 'goods' });

/** `count` events of `orgId` published in one tenant transaction (one INSERT). */
async function publish(t: TestApp, orgId: string, count: number, entityType = 'probe') {
  const inputs: DomainEventInput[] = Array.from({ length: count }, (_, i) => ({
    organizationId: orgId,
    type: `${entityType}.created`,
    entityType,
    entityId: `${entityType}-${i}`,
    actorUserId: null,
    actorApiKeyId: null,
  }));
  await t.app
    .get(TenantDatabase)
    .run(orgId, (manager) => t.app.get(DomainEvents).publishMany(manager, inputs));
}

/** A relay of its own on the test's database, driven by `drain()` (no wake-ups, no poll). */
function relayWith(
  t: TestApp,
  consumers: DomainEventConsumer[],
  options: Partial<DomainEventsRelayOptions> = {},
): DomainEventsRelay {
  const registry = new DomainEventConsumers();
  for (const consumer of consumers) registry.register(consumer);
  return new DomainEventsRelay(
    t.app.get(WakeUps),
    new TenantDatabase(t.dataSource),
    new DomainEventsRepository(),
    registry,
    { autoStart: false, batchSize: 50, retryAfterMs: () => 0, ...options },
  );
}

/** A consumer that remembers what it was handed (and may be told to fail). */
function recorder(
  name: string,
  fail: (event: DomainEvent) => boolean = () => false,
): DomainEventConsumer & { seen: DomainEvent[]; committed: string[] } {
  const seen: DomainEvent[] = [];
  const committed: string[] = [];
  return {
    name,
    seen,
    committed,
    async handle(manager: EntityManager, events: readonly DomainEvent[]) {
      // A write in the relay's transaction, as real consumers do (it must roll back on failure).
      await manager.query('SELECT pg_advisory_xact_lock(42)');
      await new Promise((resolve) => setImmediate(resolve));
      const failing = events.find(fail);
      if (failing) throw new Error(`refused ${failing.entityId}`);
      seen.push(...events);
      return () => {
        committed.push(...events.map((e) => e.eventId));
      };
    },
  };
}

describe('domain events', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    other = await createTenant(t);
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM domain_events');
  });

  describe('publishing (in the transaction of the change)', () => {
    it('wakes the relay over Redis once the transaction committed, never before nor after a rollback, and sends no NOTIFY', async () => {
      const orgId = owner.organization.id;
      const db = t.app.get(TenantDatabase);
      const events = t.app.get(DomainEvents);
      const probe = (entityId: string): DomainEventInput => ({
        organizationId: orgId,
        type: 'probe.created',
        entityType: 'probe',
        entityId,
        actorUserId: null,
        actorApiKeyId: null,
      });
      let woken = 0;
      const unsubscribe = await t.app.get(WakeUps).subscribe(OUTBOX_WAKE_UP, () => {
        woken += 1;
      });
      // What the relay listened to before: a NOTIFY would make commits queue on one lock.
      const listener = new Client({ connectionString: t.environment.database.url });
      await listener.connect();
      let notified = 0;
      listener.on('notification', () => {
        notified += 1;
      });
      await listener.query('LISTEN domain_events');
      const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
      try {
        let wokenInTransaction = -1;
        await db.run(orgId, async (manager) => {
          await events.publish(manager, probe('wake-1'));
          await events.publish(manager, probe('wake-2'));
          await settle();
          wokenInTransaction = woken;
        });
        expect(wokenInTransaction).toBe(0);
        for (let i = 0; i < 100 && woken === 0; i += 1) await settle();
        await settle();
        // Two publishes in one transaction: one wake-up.
        expect(woken).toBe(1);
        await expect(
          db.run(orgId, async (manager) => {
            await events.publish(manager, probe('wake-3'));
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        await settle();
        expect(woken).toBe(1);
        expect(notified).toBe(0);
        expect((await eventsOf(t, 'wake-1')).length).toBe(1);
        expect(await eventsOf(t, 'wake-3')).toEqual([]);
      } finally {
        unsubscribe();
        await listener.end();
      }
    });

    it('a product create, update and delete yield product.created|updated|deleted with actor and exactly the changed fields', async () => {
      const created = await owner.post('/api/v1/products').send(productBody('EV-1', 'Widget'));
      expect(created.status).toBe(201);
      const id = (created.body as { id: string }).id;
      await owner
        .patch(`/api/v1/products/${id}`)
        .send({ name: 'Gadget', description: '' })
        .expect(200);
      // A no-op PATCH changes nothing: no version bump, no audit row, no event.
      await owner.patch(`/api/v1/products/${id}`).send({ name: 'Gadget' }).expect(200);
      await owner.delete(`/api/v1/products/${id}`).set('If-Match', '"2"').expect(204);

      const events = await eventsOf(t, id);
      expect(events.map((e) => e.type)).toEqual([
        'product.created',
        'product.updated',
        'product.deleted',
      ]);
      for (const event of events) {
        expect(event).toMatchObject({
          organization_id: owner.organization.id,
          entity_type: 'product',
          entity_id: id,
          actor_user_id: owner.user.id,
          actor_api_key_id: null,
        });
        expect(event.request_id).toEqual(expect.any(String));
        expect(event.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      }
      expect(events.map((e) => e.changed_fields)).toEqual([[], ['name'], []]);
      // The audit row of each change is there too: both were written by AuditService.record.
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM audit_logs WHERE entity_id = $1`,
        [id],
      );
      expect(n).toBe(3);
    });

    it('a rolled-back change leaves no event (nor audit row)', async () => {
      const id = (
        (await owner.post('/api/v1/products').send(productBody('EV-2', 'Kept')).expect(201))
          .body as { id: string }
      ).id;
      await t.dataSource.query('DELETE FROM domain_events');
      const audit = t.app.get(AuditService);
      await expect(
        t.app.get(TenantDatabase).run(owner.organization.id, async (manager) => {
          await manager.query(`UPDATE products SET name = 'Lost' WHERE id = $1`, [id]);
          await audit.record(manager, {
            organizationId: owner.organization.id,
            action: 'update',
            entityType: 'product',
            entityId: id,
            changes: { name: { from: 'Kept', to: 'Lost' } },
            context: { actorUserId: owner.user.id, actorApiKeyId: null, requestId: null, ip: null },
          });
          throw new Error('abandon the change');
        }),
      ).rejects.toThrow('abandon the change');
      expect(await eventsOf(t, id)).toEqual([]);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM audit_logs WHERE entity_id = $1 AND action = 'update'`,
        [id],
      );
      expect(n).toBe(0);
      const [{ name }] = await t.dataSource.query<{ name: string }[]>(
        'SELECT name FROM products WHERE id = $1',
        [id],
      );
      expect(name).toBe('Kept');
    });

    it('a tenant transaction can write only its own events, and can read none', async () => {
      const db = t.app.get(TenantDatabase);
      const events = t.app.get(DomainEvents);
      const foreign: DomainEventInput = {
        organizationId: other.organization.id,
        type: 'product.created',
        entityType: 'product',
        entityId: 'x',
        actorUserId: null,
        actorApiKeyId: null,
      };
      await expect(
        db.run(owner.organization.id, (manager) => events.publish(manager, foreign)),
      ).rejects.toThrow(/row-level security/);
      await expect(
        db.run(owner.organization.id, (manager) =>
          events.publish(manager, { ...foreign, organizationId: null }),
        ),
      ).rejects.toThrow(/row-level security/);
      await publish(t, owner.organization.id, 1);
      await expect(
        db.run(owner.organization.id, (manager) => manager.query('SELECT * FROM domain_events')),
      ).rejects.toThrow(/permission denied/);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM domain_events',
      );
      expect(n).toBe(1);
    });

    it('refuses to publish outside a transaction and a type that is not <resource>.<verb>', async () => {
      const events = t.app.get(DomainEvents);
      const input: DomainEventInput = {
        organizationId: owner.organization.id,
        type: 'product.created',
        entityType: 'product',
        entityId: 'x',
        actorUserId: null,
        actorApiKeyId: null,
      };
      await expect(events.publish(t.dataSource.manager, input)).rejects.toThrow(
        /inside the transaction/,
      );
      await expect(
        t.app
          .get(TenantDatabase)
          .run(owner.organization.id, (m) => events.publish(m, { ...input, type: 'Created' })),
      ).rejects.toThrow(/<resource>\.<verb>/);
    });

    it('account and security events (no organization) publish nothing', async () => {
      await t.http
        .post('/api/v1/auth/login')
        .send({ email: owner.user.email, password: 'wrong-password-1' })
        .expect(401);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM domain_events',
      );
      expect(n).toBe(0);
    });

    it('a tenant purge publishes product.deleted and contact.deleted for every purged record, and leaves them to the relay', async () => {
      const doomed = await createTenant(t);
      const productId = (
        (await doomed.post('/api/v1/products').send(productBody('PG-1', 'Purged')).expect(201))
          .body as { id: string }
      ).id;
      const contactId = (
        (
          await doomed
            .post('/api/v1/contacts')
            .send({ kind: 'company', displayName: 'Purged Ltd', companyName: 'Purged' })
            .expect(201)
        ).body as { id: string }
      ).id;
      await t.dataSource.query('DELETE FROM domain_events');
      const operator = await superuserIn(t, owner.organization);
      await operator
        .delete(
          `/api/v1/tenants/${doomed.organization.id}?confirm=${encodeURIComponent(doomed.organization.code)}`,
        )
        .expect(204);
      const rows = await t.dataSource.query<EventRow[]>(
        `SELECT type, entity_id, organization_id, actor_user_id, data FROM domain_events ORDER BY id`,
      );
      expect(rows.map((r) => [r.type, r.entity_id])).toEqual(
        expect.arrayContaining([
          ['product.deleted', productId],
          ['contact.deleted', contactId],
        ]),
      );
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row).toMatchObject({
          organization_id: doomed.organization.id,
          actor_user_id: operator.user.id,
          data: { reason: 'tenant_purge' },
        });
      }
    });

    it('GET /metrics shows pending, dead-lettered and the relay lag', async () => {
      await publish(t, owner.organization.id, 3);
      await t.dataSource.query(
        `UPDATE domain_events SET failed_at = now(), occurred_at = now() - interval '1 hour'
          WHERE id = (SELECT min(id) FROM domain_events)`,
      );
      await t.dataSource.query(
        `UPDATE domain_events SET occurred_at = now() - interval '90 seconds'
          WHERE failed_at IS NULL AND id = (SELECT min(id) FROM domain_events WHERE failed_at IS NULL)`,
      );
      const text = (await t.http.get('/metrics').expect(200)).text;
      expect(text).toMatch(/^domain_events_pending 2$/m);
      expect(text).toMatch(/^domain_events_failed 1$/m);
      const lag = Number(/^domain_events_relay_lag_seconds (\S+)$/m.exec(text)?.[1]);
      expect(lag).toBeGreaterThanOrEqual(90);
      expect(lag).toBeLessThan(600);
    });
  });

  describe('the relay', () => {
    it('delivers committed events to every consumer, deletes them, then runs after-commit callbacks', async () => {
      await publish(t, owner.organization.id, 120);
      const first = recorder('first');
      const second = recorder('second');
      const relay = relayWith(t, [first, second]);
      expect(await relay.flush()).toBe(120);
      expect(first.seen.map((e) => e.entityId)).toEqual(
        Array.from({ length: 120 }, (_, i) => `probe-${i}`),
      );
      expect(second.seen).toHaveLength(120);
      expect(first.committed).toHaveLength(120);
      expect(first.seen[0]).toMatchObject({
        organizationId: owner.organization.id,
        type: 'probe.created',
        changedFields: [],
        data: {},
        causationDepth: 0,
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(await t.dataSource.query('SELECT id FROM domain_events')).toEqual([]);
    });

    it('claims walk the pending index in id order past delivered (dead) events, and leave the planner settings as they were', async () => {
      // Delivered events leave dead tuples until VACUUM; a bitmap heap scan + sort would visit
      // every one of them on each claim (the cost grew with every event of a bulk import).
      await publish(t, owner.organization.id, 300);
      expect(await relayWith(t, [recorder('drained')]).flush()).toBe(300);
      await publish(t, owner.organization.id, 30);
      const repository = new DomainEventsRepository();
      const seen = await t.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL enable_sort = off`); // a caller's own setting is kept
        const claimed = await repository.claim(manager, 20);
        const [settings] = await manager.query<{ bitmap: string; sort: string }[]>(
          `SELECT current_setting('enable_bitmapscan') AS bitmap, current_setting('enable_sort') AS sort`,
        );
        expect(settings).toEqual({ bitmap: 'on', sort: 'off' });
        await manager.query(`SET LOCAL enable_sort = on`);
        await manager.query(
          `SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`,
        );
        const plan = (
          await manager.query<{ 'QUERY PLAN': string }[]>(
            `EXPLAIN SELECT id FROM domain_events
              WHERE failed_at IS NULL AND available_at <= clock_timestamp()
                AND (NULL::bigint IS NULL OR id = NULL) AND NOT (id = ANY ('{}'::bigint[]))
              ORDER BY domain_events.id LIMIT 20 FOR UPDATE SKIP LOCKED`,
          )
        )
          .map((r) => r['QUERY PLAN'])
          .join('\n');
        expect(plan).toMatch(/Index Scan using ix_domain_events_pending/);
        expect(plan).not.toMatch(/Bitmap|Sort/);
        return claimed;
      });
      expect(seen.map((e) => e.entityId)).toEqual(
        Array.from({ length: 20 }, (_, i) => `probe-${i}`),
      );
    });

    it('two relays draining at once never deliver an event twice', async () => {
      await publish(t, owner.organization.id, 400);
      const a = recorder('a');
      const b = recorder('b');
      const [x, y] = await Promise.all([
        relayWith(t, [a], { batchSize: 25 }).drain(),
        relayWith(t, [b], { batchSize: 25 }).drain(),
      ]);
      const ids = [...a.seen, ...b.seen].map((e) => e.eventId);
      expect(ids).toHaveLength(400);
      expect(new Set(ids).size).toBe(400);
      expect(x + y).toBe(400);
      // Both took part (SKIP LOCKED let the second work past the first's locked batch).
      expect(a.seen.length).toBeGreaterThan(0);
      expect(b.seen.length).toBeGreaterThan(0);
    });

    it('a failing consumer rolls its batch back; the others of the batch go through, the failing one is retried', async () => {
      await publish(t, owner.organization.id, 5);
      let refuse = true;
      const healthy = recorder('healthy');
      const flaky = recorder('flaky', (e) => refuse && e.entityId === 'probe-2');
      const relay = relayWith(t, [healthy, flaky]);
      expect(await relay.drain()).toBe(4);
      // The failed batch's writes rolled back: nothing of it reached after-commit.
      expect(flaky.committed).toHaveLength(4);
      const [left] = await t.dataSource.query<
        { entity_id: string; attempts: number; last_error: string; failed_at: Date | null }[]
      >('SELECT entity_id, attempts, last_error, failed_at FROM domain_events');
      expect(left).toMatchObject({
        entity_id: 'probe-2',
        attempts: 1,
        last_error: 'consumer flaky: refused probe-2',
        failed_at: null,
      });
      refuse = false;
      expect(await relay.drain()).toBe(1);
      expect(flaky.seen.map((e) => e.entityId).sort()).toEqual([
        'probe-0',
        'probe-1',
        'probe-2',
        'probe-3',
        'probe-4',
      ]);
      expect(await t.dataSource.query('SELECT id FROM domain_events')).toEqual([]);
    });

    it('backs off a failed event, and dead-letters a poison event after maxAttempts without blocking the queue', async () => {
      await publish(t, owner.organization.id, 1, 'poison');
      const consumer = recorder('strict', (e) => e.entityType === 'poison');
      const backingOff = relayWith(t, [consumer], { retryAfterMs: () => 60_000 });
      expect(await backingOff.drain()).toBe(0);
      // Waiting for its retry: not claimed again now.
      expect(await backingOff.drain()).toBe(0);
      const [{ attempts }] = await t.dataSource.query<{ attempts: number }[]>(
        'SELECT attempts FROM domain_events',
      );
      expect(attempts).toBe(1);

      await t.dataSource.query(`UPDATE domain_events SET available_at = now()`);
      const relay = relayWith(t, [consumer], { maxAttempts: 3 });
      await relay.drain(); // attempt 2
      await relay.drain(); // attempt 3: dead-lettered
      const [dead] = await t.dataSource.query<{ attempts: number; failed_at: Date | null }[]>(
        'SELECT attempts, failed_at FROM domain_events',
      );
      expect(dead.attempts).toBe(3);
      expect(dead.failed_at).not.toBeNull();

      await publish(t, owner.organization.id, 3);
      expect(await relay.drain()).toBe(3);
      expect(consumer.seen.map((e) => e.entityType)).toEqual(['probe', 'probe', 'probe']);
      const stats = await new TenantDatabase(t.dataSource).runAsSystem('outbox-relay', (m) =>
        new DomainEventsRepository().stats(m),
      );
      expect(stats).toMatchObject({ pending: 0, failed: 1 });
    });
  });
});

/** Every event a worker's relay delivered (the worker runs in this process). */
const delivered: DomainEvent[] = [];

@Injectable()
class RecordingConsumer implements DomainEventConsumer, OnModuleInit {
  readonly name = 'test-recorder';
  constructor(private readonly consumers: DomainEventConsumers) {}
  onModuleInit(): void {
    this.consumers.register(this);
  }
  handle(_manager: EntityManager, events: readonly DomainEvent[]): Promise<void> {
    delivered.push(...events);
    return Promise.resolve();
  }
}
@Module({ providers: [RecordingConsumer] })
class RecordingModule {}

describe('domain events with a worker', () => {
  let t: TestApp;
  let owner: Actor;
  let relay: DomainEventsRelay;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    relay = (await t.startWorker([RecordingModule])).get(DomainEventsRelay);
  });
  afterAll(async () => t.close());

  const finish = async (taskId: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const task = (await owner.get(`/api/v1/tasks/${taskId}`).expect(200)).body as {
        state: string;
        result: Record<string, unknown>;
      };
      if (task.state === 'completed') return task.result;
      if (task.state === 'failed' || Date.now() > deadline) throw new Error(task.state);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const runImport = async (csv: string, onConflict: string) => {
    const res = await owner
      .post(`/api/v1/imports?resource=products&mode=commit&onConflict=${onConflict}`)
      .attach('file', Buffer.from(csv), { filename: 'products.csv', contentType: 'text/csv' })
      .expect(202);
    return finish((res.body as { taskId: string }).taskId);
  };

  it('an import publishes one event per loaded row, with the starter as actor', async () => {
    delivered.length = 0;
    const result = await runImport(
      'sku,name,type\nIM-1,One,goods\nIM-2,Two,goods\nIM-3,Three,goods\n',
      'fail',
    );
    expect(result).toMatchObject({ inserted: 3 });
    await relay.flush();
    const created = delivered.filter((e) => e.type === 'product.created');
    expect(created).toHaveLength(3);
    const ids = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM products WHERE organization_id = $1 AND sku LIKE 'IM-%'`,
      [owner.organization.id],
    );
    expect(created.map((e) => e.entityId).sort()).toEqual(ids.map((r) => r.id).sort());
    for (const event of created) {
      expect(event).toMatchObject({
        organizationId: owner.organization.id,
        actorUserId: owner.user.id,
        data: { source: 'import', taskId: expect.any(String) },
      });
    }

    delivered.length = 0;
    const again = await runImport('sku,name,type\nIM-1,One,goods\nIM-2,Renamed,goods\n', 'update');
    expect(again).toMatchObject({ inserted: 0, updated: 1 });
    await relay.flush();
    const changed = delivered.filter((e) => e.entityType === 'product' && e.entityId !== null);
    expect(changed.map((e) => [e.type, e.entityId])).toEqual([
      ['product.updated', await idOf(t, 'IM-2')],
    ]);
  });

  it("a change through the API reaches the worker's consumers after commit", async () => {
    delivered.length = 0;
    const id = (
      (await owner.post('/api/v1/products').send(productBody('WK-1', 'Live')).expect(201)).body as {
        id: string;
      }
    ).id;
    await relay.flush();
    expect(delivered.map((e) => [e.type, e.entityId])).toContainEqual(['product.created', id]);
    expect(await eventsOf(t, id)).toEqual([]);
  });
});

async function idOf(t: TestApp, sku: string): Promise<string> {
  const [{ id }] = await t.dataSource.query<{ id: string }[]>(
    'SELECT id FROM products WHERE sku = $1',
    [sku],
  );
  return id;
}
