import { Injectable, INestApplicationContext, Module, OnModuleInit } from '@nestjs/common';
import { SchedulerRunner } from '../../src/modules/schedules/scheduler.runner';
import { defineJob, JobContext, JobHandler, JobRegistry } from '../../src/modules/jobs';
import { Actor, createTenant } from '../support/auth';
import {
  ContractActors,
  describeResourceContract,
  tenantActors,
} from '../support/resource-contract';
import { createTestApp, TestApp } from '../support/test-app';

/** Every run of the test task, by task id (= schedule id + planned time) and worker. */
const runs: { taskId: string; worker: string }[] = [];

function tickModule(worker: string) {
  @Injectable()
  class TickTask implements JobHandler, OnModuleInit {
    readonly definition = defineJob({ name: 'test.tick' });
    constructor(private readonly registry: JobRegistry) {}
    onModuleInit(): void {
      this.registry.register(this);
    }
    run(context: JobContext<object>) {
      runs.push({ taskId: context.taskId, worker });
      return Promise.resolve({ worker });
    }
  }
  @Module({ providers: [TickTask] })
  class TickModule {}
  return TickModule;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` every 100 ms until it holds; fails after `timeoutMs`. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

describe('schedules', () => {
  let t: TestApp;
  let actors: ContractActors;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    actors = await tenantActors(t, ['Member']); // schedules are not business data: no Viewer
    owner = actors.writer;
  });
  afterAll(async () => t.close());

  describeResourceContract(() => actors, {
    url: '/api/v1/schedules',
    table: 'schedules',
    auditType: 'schedule',
    create: () => ({ name: 'Nightly check', taskName: 'stock.reconcile', cron: '0 3 * * *' }),
    invalid: {
      body: { name: '', taskName: 'rm -rf', cron: 'every night', intervalSeconds: 0 },
      pointers: ['/name', '/taskName', '/cron', '/intervalSeconds'],
    },
    update: { body: { enabled: false }, expect: { enabled: false, nextRunAt: null } },
  });

  it('computes the next run, needs exactly one rule, and recomputes when the rule changes', async () => {
    const created = await owner
      .post('/api/v1/schedules')
      .send({ name: 'Hourly', taskName: 'stock.reconcile', intervalSeconds: 3600 })
      .expect(201);
    const body = created.body as { id: string; nextRunAt: string };
    const inAnHour = Date.parse(body.nextRunAt) - Date.now();
    expect(inAnHour).toBeGreaterThan(3_590_000);
    expect(inAnHour).toBeLessThanOrEqual(3_600_000);
    const both = await owner
      .post('/api/v1/schedules')
      .send({ name: 'x', taskName: 'stock.reconcile', cron: '* * * * *', intervalSeconds: 60 });
    expect(both.body).toMatchObject({ errors: [{ code: 'invalid_schedule' }] });
    const neither = await owner
      .post('/api/v1/schedules')
      .send({ name: 'x', taskName: 'stock.reconcile' });
    expect(neither.status).toBe(422);
    const daily = await owner
      .patch(`/api/v1/schedules/${body.id}`)
      .send({ cron: '0 0 * * *' })
      .expect(200);
    expect((daily.body as { nextRunAt: string }).nextRunAt).toMatch(/T00:00:00\.000Z$/);
  });

  it('two workers: a 1-second schedule runs once per tick, and the other worker takes over', async () => {
    const workers: Record<string, INestApplicationContext> = {
      a: await t.startWorker([tickModule('a')]),
      b: await t.startWorker([tickModule('b')]),
    };
    const [{ id }] = await t.dataSource.query<{ id: string }[]>(
      `INSERT INTO schedules (organization_id, name, task_name, interval_seconds, next_run_at)
       VALUES ($1, 'every second', 'test.tick', 1, now()) RETURNING id`,
      [owner.organization.id],
    );
    await sleep(3_500);
    const leaders = Object.entries(workers).filter(([, w]) => w.get(SchedulerRunner).isLeader);
    expect(leaders).toHaveLength(1);
    const mine = () => runs.filter((r) => r.taskId.startsWith(`schedule:${id}:`));
    const firstPhase = mine().length;
    expect(firstPhase).toBeGreaterThanOrEqual(2);
    expect(firstPhase).toBeLessThanOrEqual(5);

    // The leader stops: it releases its lease; the other worker takes it on its next tick.
    const [leaderName] = leaders[0];
    await workers[leaderName].close();
    const survivor = leaderName === 'a' ? workers.b : workers.a;
    await sleep(3_000);
    expect(survivor.get(SchedulerRunner).isLeader).toBe(true);
    expect(mine().length).toBeGreaterThan(firstPhase);

    const ids = mine().map((r) => r.taskId);
    expect(new Set(ids).size).toBe(ids.length); // no tick ran twice
    const planned = ids.map((taskId) => Number(taskId.split(':')[2])).sort((x, y) => x - y);
    for (let i = 1; i < planned.length; i += 1)
      expect(planned[i] - planned[i - 1]).toBeGreaterThanOrEqual(1_000);
    const [schedule] = await t.dataSource.query<{ last_task_id: string }[]>(
      'SELECT last_task_id FROM schedules WHERE id = $1',
      [id],
    );
    expect(ids).toContain(schedule.last_task_id);
  }, 30_000);

  it('skips the schedules of an archived organization, advancing them, and runs them after restore', async () => {
    await t.startWorker([tickModule('c')]);
    const tenant = await createTenant(t);
    const child = (
      await tenant
        .post('/api/v1/organizations')
        .send({ code: `SCH-${Date.now()}`, name: 'Branch', typeCode: 'branch' })
        .expect(201)
    ).body as { id: string };
    await tenant.post(`/api/v1/organizations/${child.id}/archive`).expect(200);
    // Both due now, in one statement (one next_run_at): the scheduler claims them in one batch.
    const [control, skipped] = await t.dataSource.query<{ id: string; next_run_at: Date }[]>(
      `INSERT INTO schedules (organization_id, name, task_name, interval_seconds, next_run_at)
       VALUES ($1, 'control', 'test.tick', 3600, now()), ($2, 'archived', 'test.tick', 1, now())
       RETURNING id, next_run_at`,
      [tenant.organization.id, child.id],
    );
    const runsOf = (id: string) => runs.filter((r) => r.taskId.startsWith(`schedule:${id}:`));
    await until(() => runsOf(control.id).length > 0);

    // The tick that ran the control schedule passed over the archived one: moved on, not run.
    const [after] = await t.dataSource.query<
      { last_task_id: string | null; last_run_at: Date | null; next_run_at: Date }[]
    >('SELECT last_task_id, last_run_at, next_run_at FROM schedules WHERE id = $1', [skipped.id]);
    expect(after.last_task_id).toBeNull();
    expect(after.last_run_at).toBeNull();
    expect(after.next_run_at.getTime()).toBeGreaterThan(new Date(skipped.next_run_at).getTime());
    expect(runsOf(skipped.id)).toHaveLength(0);

    await tenant.post(`/api/v1/organizations/${child.id}/restore`).expect(200);
    await until(() => runsOf(skipped.id).length > 0);
    // The scheduler enqueues inside its transaction (a rolled-back tick re-enqueues the same job
    // id, which Bull drops), so the job can run before the tick commits: wait for the commit.
    const lastTaskId = async () =>
      (
        await t.dataSource.query<{ last_task_id: string | null }[]>(
          'SELECT last_task_id FROM schedules WHERE id = $1',
          [skipped.id],
        )
      )[0].last_task_id;
    await until(async () => (await lastTaskId()) !== null, 5_000);
    expect(await lastTaskId()).toMatch(new RegExp(`^schedule:${skipped.id}:`));
  }, 30_000);

  it('a leader that died without releasing its lease is replaced once the lease expires, not before', async () => {
    await t.startWorker([tickModule('d')]);
    const lease = async () =>
      (
        await t.dataSource.query<{ holder: string }[]>(
          `SELECT holder FROM scheduler_leases WHERE name = 'scheduler'`,
        )
      )[0]?.holder;
    const deadline = Date.now() + 10_000;
    while (!(await lease())) {
      if (Date.now() > deadline) throw new Error('no worker took the lease');
      await sleep(100);
    }
    // The leader crashes right after a renewal: its lease is left for 3 s, and nobody renews it.
    const [{ expires_at: expiresAt }] = await t.dataSource.query<{ expires_at: Date }[]>(
      `WITH crashed AS (
         UPDATE scheduler_leases SET holder = 'crashed-worker', expires_at = now() + interval '3 seconds'
          WHERE name = 'scheduler' RETURNING expires_at)
       SELECT expires_at FROM crashed`,
    );
    const [{ id }] = await t.dataSource.query<{ id: string }[]>(
      `INSERT INTO schedules (organization_id, name, task_name, interval_seconds, next_run_at)
       VALUES ($1, 'after failover', 'test.tick', 3600, now()) RETURNING id`,
      [owner.organization.id],
    );
    const runsOf = () => runs.filter((r) => r.taskId.startsWith(`schedule:${id}:`));
    await sleep(1_500);
    expect(await lease()).toBe('crashed-worker'); // the live workers wait for the expiry
    expect(runsOf()).toHaveLength(0);
    await until(() => runsOf().length > 0);
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(expiresAt).getTime() - 50);
    // The new leader's tick (lease taken, job enqueued) may still be committing when the job runs.
    await until(async () => (await lease()) !== 'crashed-worker', 5_000);
    expect(await lease()).toEqual(expect.any(String));
    expect(runsOf()).toHaveLength(1);
  }, 30_000);
});
