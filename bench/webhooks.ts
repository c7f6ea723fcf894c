// Webhook delivery bench (issue 19 targets: ≥ 200 deliveries/s to a local receiver, p99
// event-commit-to-delivery < 1 s at that rate). In-process API + real worker on a cloned test
// database (test/support): publishes `tag.created` events at BENCH_WEBHOOK_RATE per second for
// BENCH_WEBHOOK_SECONDS in small committed batches (as requests would), through the real outbox
// relay, the `webhooks` fan-out consumer and the dispatcher, to an http.createServer receiver.
// Latency = receipt time − the publishing transaction's commit time.
// Run: node scripts/run-ts.cjs bench/webhooks.ts   (PostgreSQL and Redis as for the e2e tests)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { TenantDatabase } from '../src/core/tenancy';
import { DomainEvents } from '../src/modules/domain-events';
import { createTenant } from '../test/support/auth';
import { createTestApp } from '../test/support/test-app';

const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10);
const TICK_MS = 50;

async function main(): Promise<void> {
  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  let firstAt = 0;
  let lastAt = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const now = performance.now();
      const seq = (JSON.parse(body) as { data: { seq: string } }).data.seq;
      const start = committedAt.get(seq);
      if (start !== undefined) latencies.push(now - start);
      firstAt ||= now;
      lastAt = now;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const t = await createTestApp({
    env: {
      WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: '10',
    },
  });
  try {
    const owner = await createTenant(t);
    await owner
      .post('/api/v1/webhook-subscriptions')
      .send({ name: 'Bench', url: `http://127.0.0.1:${port}/hook`, eventTypes: ['tag.created'] })
      .expect(201);
    await t.startWorker();
    const db = t.app.get(TenantDatabase);
    const events = t.app.get(DomainEvents);
    const orgId = owner.organization.id;
    const total = RATE * SECONDS;
    const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
    let sent = 0;
    const started = performance.now();
    while (sent < total) {
      const batch = Array.from({ length: Math.min(perTick, total - sent) }, () => String(sent++));
      // A few events per transaction, as concurrent requests would commit them.
      await db.run(orgId, (manager) =>
        events.publishMany(
          manager,
          batch.map((seq) => ({
            organizationId: orgId,
            type: 'tag.created',
            entityType: 'tag',
            entityId: randomUUID(),
            actorUserId: owner.user.id,
            actorApiKeyId: null,
            data: { seq },
          })),
        ),
      );
      const committed = performance.now();
      for (const seq of batch) committedAt.set(seq, committed);
      const due = started + (sent / RATE) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const deadline = performance.now() + 60_000;
    while (latencies.length < total && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    const result = {
      offeredPerSecond: RATE,
      seconds: SECONDS,
      delivered: latencies.length,
      expected: total,
      deliveredPerSecond: Math.round((latencies.length / ((lastAt - firstAt) / 1000)) * 10) / 10,
      latencyMs: {
        p50: Math.round(pct(0.5)),
        p95: Math.round(pct(0.95)),
        p99: Math.round(pct(0.99)),
        max: Math.round(latencies[latencies.length - 1]),
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await t.close();
    server.closeAllConnections();
    server.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
