import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import {
  DomainEvent,
  DomainEventConsumer,
  DomainEventConsumers,
  DomainEventsRelay,
} from '../../src/modules/domain-events';
import { defineJob, JobHandler, JobRegistry, JobsService } from '../../src/modules/jobs';
import { Actor, createTenant } from '../support/auth';
import { TEST_REDIS_URL, TS_RUNNER } from '../support/env';
import { createTestApp, TestApp } from '../support/test-app';

const CRASH = defineJob({ name: 'test.crash' });

@Injectable()
class FinishingTask implements JobHandler, OnModuleInit {
  readonly definition = CRASH;
  constructor(private readonly registry: JobRegistry) {}
  onModuleInit(): void {
    this.registry.register(this);
  }
  run() {
    return Promise.resolve({ finishedBy: 'second worker', pid: process.pid });
  }
}
@Module({ providers: [FinishingTask] })
class FinishingModule {}

/** Every event the in-process worker's relay delivered. */
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

/**
 * Resolves when the child has said `message` — including before this was called: every message
 * is kept from the fork on, so one sent while the test awaited something else is not lost.
 */
function listen(child: ChildProcess) {
  const said = new Set<unknown>();
  const waiters: { message: string; resolve: () => void }[] = [];
  child.on('message', (m) => {
    said.add(m);
    for (const w of waiters.filter((w) => w.message === m)) w.resolve();
  });
  return (message: string, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      if (said.has(message)) return resolve();
      const timer = setTimeout(() => reject(new Error(`child never said "${message}"`)), timeoutMs);
      waiters.push({
        message,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`child exited (${code}) before "${message}"`));
      });
    });
}

describe('fault tolerance', () => {
  describe('with Redis down', () => {
    let t: TestApp;
    let owner: Actor;

    beforeAll(async () => {
      t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
      owner = await createTenant(t);
    });
    afterAll(async () => t.close());

    it('work that must be queued answers 503 and leaves nothing half-written', async () => {
      const reconcile = await owner.post('/api/v1/stock-levels/reconcile').send({});
      expect(reconcile.status).toBe(503);
      expect(reconcile.body).toMatchObject({ errors: [{ code: 'service_unavailable' }] });

      const reset = await t.http
        .post('/api/v1/auth/password-reset/request')
        .send({ email: owner.user.email });
      expect(reset.status).toBe(503);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM password_reset_tokens WHERE user_id = $1',
        [owner.user.id],
      );
      expect(n).toBe(0); // the token rolled back with the mail that could not be queued
    });

    it('routes that do not need Redis keep working', async () => {
      await owner.get('/api/v1/products').expect(200);
      await owner
        .post('/api/v1/categories')
        .send({ type: 'product', name: 'Still writable' })
        .expect(201);
    });
  });

  describe('a worker killed mid-job', () => {
    let t: TestApp;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      t = await createTestApp({ env: { QUEUE_LOCK_DURATION_MS: '1000' } });
    });
    afterAll(async () => {
      child?.kill('SIGKILL');
      await t.close();
    });

    it('leaves its job to be retried by the next worker', async () => {
      const owner = await createTenant(t);
      // Through scripts/run-ts.cjs: a .ts main would be type-stripped by Node 24, not ts-node.
      child = fork(TS_RUNNER, [join(__dirname, '../support/crash-worker.ts')], {
        env: {
          ...process.env,
          ENVIRONMENT: 'test',
          DATABASE_URL: t.environment.database.url,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_KEY_PREFIX: t.environment.redisPrefix,
          QUEUE_LOCK_DURATION_MS: '1000',
          WORKER_PORT: '0',
          LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const waitFor = listen(child);
      await waitFor('ready');
      const taskId = await t.app.get(JobsService).start(CRASH, {}, owner.organization.id, {
        actorUserId: owner.user.id,
        actorApiKeyId: null,
        requestId: null,
        ip: null,
      });
      await waitFor('started');
      expect((await owner.get(`/api/v1/tasks/${taskId}`).expect(200)).body).toMatchObject({
        state: 'active',
      });

      child.kill('SIGKILL'); // no goodbye: its job lock simply stops being renewed
      await new Promise((resolve) => child!.once('exit', resolve));
      await t.startWorker([FinishingModule]);

      const deadline = Date.now() + 20_000;
      let task: { state: string; result: unknown } = { state: 'active', result: null };
      while (task.state !== 'completed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        task = (await owner.get(`/api/v1/tasks/${taskId}`).expect(200)).body as typeof task;
      }
      expect(task).toMatchObject({
        state: 'completed',
        result: { finishedBy: 'second worker', pid: process.pid },
      });
    }, 90_000);
  });

  describe('a worker killed between commit and relay', () => {
    let t: TestApp;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => {
      child?.kill('SIGKILL');
      await t.close();
    });

    it('loses no event: committed while no worker runs or claimed by a worker killed mid-batch, each is delivered once a worker runs again', async () => {
      const owner = await createTenant(t);
      const create = async (sku: string) =>
        (
          (
            await owner
              .post('/api/v1/products')
              .send({ sku, name: `Crash ${sku}`, type: 'goods' })
              .expect(201)
          ).body as { id: string }
        ).id;
      // Committed while no worker runs at all.
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push(await create(`CR-${i}`));

      child = fork(TS_RUNNER, [join(__dirname, '../support/crash-relay-worker.ts')], {
        env: {
          ...process.env,
          ENVIRONMENT: 'test',
          DATABASE_URL: t.environment.database.url,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_KEY_PREFIX: t.environment.redisPrefix,
          WORKER_PORT: '0',
          LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const waitFor = listen(child);
      await waitFor('ready');
      // Its relay claims the pending events and its last consumer hangs, transaction open.
      await waitFor(`holding ${ids.length}`);
      // More committed while that worker holds the batch (its relay is stuck in the first pass).
      for (let i = 5; i < 8; i += 1) ids.push(await create(`CR-${i}`));
      const [{ n: locked }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM domain_events`,
      );
      expect(locked).toBe(8);

      child.kill('SIGKILL'); // mid-batch: PostgreSQL rolls its transaction back, locks go
      await new Promise((resolve) => child!.once('exit', resolve));
      const relay = (await t.startWorker([RecordingModule])).get(DomainEventsRelay);
      const deadline = Date.now() + 20_000;
      let remaining = Number.POSITIVE_INFINITY;
      while (remaining > 0 && Date.now() < deadline) {
        await relay.flush();
        [{ n: remaining }] = await t.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM domain_events`,
        );
      }
      expect(remaining).toBe(0);
      const created = delivered.filter((e) => e.type === 'product.created');
      expect(created.map((e) => e.entityId).sort()).toEqual([...ids].sort());
      expect(new Set(created.map((e) => e.eventId)).size).toBe(ids.length);
    }, 90_000);
  });
});
