import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RuleViolationError } from '../../src/core/http';
import {
  defineJob,
  JobContext,
  JobHandler,
  JobRegistry,
  JobsService,
} from '../../src/modules/jobs';
import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Task {
  id: string;
  state: string;
  progress: number;
  attempts: number;
  maxAttempts: number;
  result: unknown;
  error: { errors: { status: string; code: string; detail: string }[] } | null;
}

/** Fails its first three attempts, then succeeds; its side effect must happen once. */
const FLAKY = defineJob<{ label: string }>({ name: 'test.flaky', attempts: 4, backoffMs: 20 });
const effects: string[] = [];

@Injectable()
class FlakyTask implements JobHandler<{ label: string }>, OnModuleInit {
  readonly definition = FLAKY;
  constructor(private readonly registry: JobRegistry) {}
  onModuleInit(): void {
    this.registry.register(this);
  }
  async run(context: JobContext<{ label: string }>) {
    const written = await context.once('write', () => {
      effects.push(context.payload.label);
      return Promise.resolve(`wrote ${context.payload.label}`);
    });
    await context.progress(50);
    if (context.attempt <= 3) throw new Error(`transient failure ${context.attempt}`);
    return { written, attempt: context.attempt };
  }
}

/**
 * Always fails: after its 2 attempts it must stay failed, with its error, for its owner to see —
 * as an enveloped code, whatever it threw (a raw database error, a typed error, a plain Error).
 */
const BROKEN = defineJob<{ kind: 'database' | 'rule' | 'plain' }>({
  name: 'test.broken',
  attempts: 2,
  backoffMs: 10,
});

@Injectable()
class BrokenTask implements JobHandler<{ kind: 'database' | 'rule' | 'plain' }>, OnModuleInit {
  readonly definition = BROKEN;
  constructor(
    private readonly registry: JobRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}
  onModuleInit(): void {
    this.registry.register(this);
  }
  async run(context: JobContext<{ kind: 'database' | 'rule' | 'plain' }>): Promise<never> {
    if (context.payload.kind === 'database')
      await this.dataSource.query(`SELECT 1 FROM secret_table_name WHERE password = 'x'`);
    if (context.payload.kind === 'rule')
      throw new RuleViolationError('supplier_rejected', 'The supplier refused the order');
    throw new Error('the supplier API rejected the request at https://internal:8443/key=abc');
  }
}

@Module({ providers: [FlakyTask, BrokenTask] })
class FlakyTaskModule {}

describe('tasks: 202 + polling, retries with backoff, idempotent effects, owner-only reads', () => {
  let t: TestApp;
  let owner: Actor;
  let colleague: Actor;
  let stranger: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    colleague = await addActor(t, owner.organization, ['Owner']);
    stranger = await createTenant(t);
    await t.startWorker([FlakyTaskModule]);
  });
  afterAll(async () => t.close());

  const poll = async (actor: Actor, id: string, until: (task: Task) => boolean): Promise<Task> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await actor.get(`/api/v1/tasks/${id}`).expect(200);
      const task = res.body as Task;
      if (until(task)) return task;
      if (Date.now() > deadline) throw new Error(`task stuck: ${JSON.stringify(task)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('starts a stock reconciliation over HTTP (202) and polls it to completed', async () => {
    const started = await owner.post('/api/v1/stock-levels/reconcile').send({}).expect(202);
    const { taskId } = started.body as { taskId: string };
    const task = await poll(owner, taskId, (x) => x.state === 'completed');
    expect(task).toMatchObject({
      state: 'completed',
      progress: 100,
      attempts: 0,
      result: { checked: 0, mismatchCount: 0, mismatches: [] },
      error: null,
    });
  });

  it('finds a level that disagrees with its ledger', async () => {
    const post = async (url: string, body: object) =>
      ((await owner.post(url).send(body).expect(201)).body as { id: string }).id;
    const warehouse = await post('/api/v1/warehouses', {
      code: `W${randomUUID().slice(0, 6)}`,
      name: 'W',
    });
    const location = await post('/api/v1/stock-locations', {
      warehouseId: warehouse,
      code: 'A',
      name: 'A',
    });
    const product = await post('/api/v1/products', {
      sku: `S${randomUUID().slice(0, 6)}`,
      name: 'P',
      type: 'goods',
    });
    await post('/api/v1/stock-moves', {
      productId: product,
      toLocationId: location,
      quantity: '5',
    });
    await t.dataSource.query(`UPDATE stock_levels SET quantity = 4 WHERE product_id = $1`, [
      product,
    ]);

    const { taskId } = (
      await owner
        .post('/api/v1/stock-levels/reconcile')
        .send({ warehouseId: warehouse })
        .expect(202)
    ).body as { taskId: string };
    const task = await poll(owner, taskId, (x) => x.state === 'completed');
    expect(task.result).toEqual({
      checked: 1,
      mismatchCount: 1,
      mismatches: [{ productId: product, locationId: location, level: '4', ledger: '5' }],
    });
  });

  it('a job that fails 3 times then succeeds reports its attempts, and did its side effect once', async () => {
    const taskId = await t.app
      .get(JobsService)
      .start(FLAKY, { label: 'invoice-7' }, owner.organization.id, {
        actorUserId: owner.user.id,
        actorApiKeyId: null,
        requestId: null,
        ip: null,
      });
    const task = await poll(owner, taskId, (x) => x.state === 'completed' || x.state === 'failed');
    expect(task).toMatchObject({
      state: 'completed',
      attempts: 3,
      maxAttempts: 4,
      result: { written: 'wrote invoice-7', attempt: 4 },
      error: {
        errors: [
          {
            status: '500',
            code: 'internal_server_error',
            detail: 'An unexpected error occurred; it has been logged',
          },
        ],
      },
    });
    expect(JSON.stringify(task.error)).not.toContain('transient');
    expect(effects).toEqual(['invoice-7']);
  });

  it('a job that keeps failing ends failed, with an enveloped, translated code — never raw text', async () => {
    const start = (kind: 'database' | 'rule' | 'plain') =>
      t.app.get(JobsService).start(BROKEN, { kind }, owner.organization.id, {
        actorUserId: owner.user.id,
        actorApiKeyId: null,
        requestId: null,
        ip: null,
      });
    const internal = {
      status: '500',
      code: 'internal_server_error',
      detail: 'An unexpected error occurred; it has been logged',
    };
    for (const kind of ['database', 'plain'] as const) {
      const task = await poll(owner, await start(kind), (x) => x.state === 'failed');
      expect(task).toMatchObject({ state: 'failed', attempts: 2, maxAttempts: 2, result: null });
      expect(task.error).toEqual({ errors: [internal] });
      const french = await owner.get(`/api/v1/tasks/${task.id}`).set('Accept-Language', 'fr');
      expect(french.status).toBe(200);
      expect((french.body as Task).error).toEqual({
        errors: [{ ...internal, detail: 'Une erreur interne est survenue.' }],
      });
      expect(JSON.stringify(french.body)).not.toMatch(/secret_table_name|relation|internal:8443/);
    }
    const rule = await poll(owner, await start('rule'), (x) => x.state === 'failed');
    expect(rule.error).toEqual({
      errors: [
        { status: '422', code: 'supplier_rejected', detail: 'The supplier refused the order' },
      ],
    });
  });

  it('a task is visible only to whoever started it, in its organization (404 otherwise)', async () => {
    const { taskId } = (await owner.post('/api/v1/stock-levels/reconcile').send({}).expect(202))
      .body as {
      taskId: string;
    };
    for (const actor of [stranger, colleague]) {
      const res = await actor.get(`/api/v1/tasks/${taskId}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ errors: [{ code: 'not_found' }] });
    }
    expect((await owner.get(`/api/v1/tasks/${randomUUID()}`)).status).toBe(404);
    expect(
      (await owner.post('/api/v1/stock-levels/reconcile').send({ warehouseId: 'x' })).status,
    ).toBe(422);
  });
});
