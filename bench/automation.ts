// Automation bench (issue 19 target: one worker processes ≥ 500 automation-triggering events per
// second with simple conditions). In-process API + real worker on a cloned test database
// (test/support): one rule on `product.updated` with the condition `price >= 0` and one action
// (`add_tag bench`, a no-op once the product carries it); BENCH_AUTOMATION_EVENTS product.updated
// events over BENCH_AUTOMATION_PRODUCTS products are committed as fast as possible in batches of
// 50 (as concurrent requests would), through the real outbox relay and the automation consumer.
// Reports: events/s matched and recorded as runs (the consumer: rule cache, condition in SQL,
// `automation_runs` insert) and runs/s executed to `succeeded` (Bull job, run-as principal, step).
// Run: node scripts/run-ts.cjs bench/automation.ts   (PostgreSQL and Redis as for the e2e tests)
import { TenantDatabase } from '../src/core/tenancy';
import { DomainEvents } from '../src/modules/domain-events';
import { createTenant } from '../test/support/auth';
import { createTestApp } from '../test/support/test-app';

const EVENTS = Number(process.env.BENCH_AUTOMATION_EVENTS ?? 5_000);
const PRODUCTS = Number(process.env.BENCH_AUTOMATION_PRODUCTS ?? 200);
const BATCH = 50;

async function main(): Promise<void> {
  // The per-organization rate limit (1,000 runs a minute by default) would cap a one-organization
  // bench at ~17 runs/s: lifted, to measure the worker.
  const t = await createTestApp({
    env: { LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', AUTOMATION_RUNS_PER_MINUTE: '1000000' },
  });
  try {
    const owner = await createTenant(t);
    const orgId = owner.organization.id;
    const products = await t.dataSource.query<{ id: string }[]>(
      `INSERT INTO products (organization_id, sku, name, type, price, currency_code, uom_code)
       SELECT $1, 'AB-' || g, 'Bench ' || g, 'goods', g, 'EUR', 'pc' FROM generate_series(1, $2) g
       RETURNING id`,
      [orgId, PRODUCTS],
    );
    await owner
      .post('/api/v1/automation-rules')
      .send({
        name: 'Bench rule',
        entityType: 'product',
        trigger: { type: 'record.updated' },
        condition: { field: 'price', op: 'gte', value: '0' },
        actions: [{ type: 'add_tag', params: { names: ['bench'] } }],
      })
      .expect(201);
    await t.startWorker();
    const db = t.app.get(TenantDatabase);
    const events = t.app.get(DomainEvents);

    const count = async (statuses: string[]) =>
      (
        await t.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM automation_runs WHERE organization_id = $1 AND status = ANY($2)`,
          [orgId, statuses],
        )
      )[0].n;

    const started = performance.now();
    for (let sent = 0; sent < EVENTS; sent += BATCH) {
      const size = Math.min(BATCH, EVENTS - sent);
      await db.run(orgId, (manager) =>
        events.publishMany(
          manager,
          Array.from({ length: size }, (_, i) => ({
            organizationId: orgId,
            type: 'product.updated',
            entityType: 'product',
            entityId: products[(sent + i) % products.length].id,
            actorUserId: owner.user.id,
            actorApiKeyId: null,
            changedFields: ['name'],
            data: { previous: { name: 'before' } },
          })),
        ),
      );
    }
    const committedMs = performance.now() - started;
    let recordedMs = 0;
    let executedMs = 0;
    const deadline = performance.now() + 300_000;
    while (performance.now() < deadline) {
      const recorded = await count(['queued', 'running', 'succeeded', 'failed', 'skipped']);
      if (!recordedMs && recorded >= EVENTS) recordedMs = performance.now() - started;
      const done = await count(['succeeded', 'failed']);
      if (done >= EVENTS) {
        executedMs = performance.now() - started;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const failed = await count(['failed']);
    const skipped = await count(['skipped', 'loop_prevented']);
    const result = {
      events: EVENTS,
      products: PRODUCTS,
      committedSeconds: Number((committedMs / 1000).toFixed(2)),
      recordedSeconds: Number((recordedMs / 1000).toFixed(2)),
      recordedPerSecond: recordedMs ? Math.round(EVENTS / (recordedMs / 1000)) : 0,
      executedSeconds: Number((executedMs / 1000).toFixed(2)),
      executedPerSecond: executedMs ? Math.round(EVENTS / (executedMs / 1000)) : 0,
      failed,
      skipped,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await t.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
