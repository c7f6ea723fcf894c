import type { INestApplicationContext } from '@nestjs/common';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutomationActionRegistry } from '../../src/core/automation';
import type { AutomationActionContext } from '../../src/core/automation';
import { DomainEventsRelay } from '../../src/modules/domain-events';
import { WebhookDispatcher } from '../../src/modules/webhooks';
import { addActor, type Actor } from '../support/auth';
import {
  ContractActors,
  describeResourceContract,
  tenantActors,
} from '../support/resource-contract';
import request from 'supertest';
import { createApiApplication, createWorkerApplication } from '../../src/bootstrap';
import { loadConfig } from '../../src/core/config';
import { TEST_REDIS_URL } from '../support/env';
import { createTestApp, LogCapture, TestApp } from '../support/test-app';

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
interface Subscription {
  id: string;
  secret?: string;
  status: string;
  pausedReason: string | null;
  version: number;
}
interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  attemptLog: unknown[];
}
interface Envelope {
  errors: { code: string; source?: { pointer?: string }; meta?: Record<string, unknown> }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Polls until `done` holds (a committed state), failing after `timeoutMs`. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('outbound webhooks (issue 19)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let actors: ContractActors;
  let owner: Actor;
  let reader: Actor;
  let updater: Actor;
  let other: Actor;
  let server: Server;
  let port: number;
  const received: Received[] = [];
  /** Answers for the next requests to /flaky (then 200). */
  const flakyAnswers: number[] = [];

  const base = () => `http://127.0.0.1:${port}`;
  const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0];
  const subscribe = async (actor: Actor, body: Record<string, unknown> = {}) => {
    const res = await actor.post('/api/v1/webhook-subscriptions').send({
      name: 'Receiver',
      url: `${base()}/hook`,
      eventTypes: ['tag.created'],
      ...body,
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Subscription;
  };
  const createTag = async (actor: Actor) => {
    const res = await actor
      .post('/api/v1/tags')
      .send({ name: `wh ${randomUUID().slice(0, 8)}` })
      .expect(201);
    return (res.body as { id: string }).id;
  };
  const deliveries = (orgId: string, subscriptionId: string) =>
    t.dataSource.query<{ id: string; status: string; attempts: number; event_id: string }[]>(
      `SELECT id, status, attempts, event_id FROM webhook_deliveries
        WHERE organization_id = $1 AND subscription_id = $2 ORDER BY created_at`,
      [orgId, subscriptionId],
    );
  /** Delivers committed events to the consumers now (the relay also runs on its own). */
  const relay = () => worker.get(DomainEventsRelay).flush();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/gone') res.writeHead(410).end('gone');
        else if (req.url === '/down') res.writeHead(500).end('x'.repeat(5000));
        else if (req.url === '/flaky' && flakyAnswers.length > 0)
          res.writeHead(flakyAnswers.shift()!).end('try later');
        else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    t = await createTestApp({
      env: {
        WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
        WEBHOOK_RETRY_BASE_MS: '100',
        WEBHOOK_RETRY_MAX_MS: '200',
        WEBHOOK_RETRY_WINDOW_MS: '1500',
        WEBHOOK_POLL_MS: '100',
        WEBHOOK_AUTO_PAUSE_FAILURES: '2',
      },
    });
    worker = await t.startWorker();
    actors = await tenantActors(t, ['Viewer']);
    owner = actors.writer;
    other = actors.otherTenant!;
    for (const [name, permissions] of [
      ['Webhook reader', ['webhooks:read']],
      ['Webhook updater', ['webhooks:read', 'webhooks:update']],
    ] as const) {
      await owner.post('/api/v1/roles').send({ name, permissions }).expect(201);
    }
    reader = await addActor(t, owner.organization, ['Webhook reader']);
    updater = await addActor(t, owner.organization, ['Webhook updater']);
    actors.reader = reader;
  });
  afterAll(async () => {
    await t.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  describeResourceContract(() => actors, {
    url: '/api/v1/webhook-subscriptions',
    table: 'webhook_subscriptions',
    auditType: 'webhook_subscription',
    createOnly: ['secret'],
    create: () => ({
      name: `Hook ${randomUUID().slice(0, 6)}`,
      url: `${base()}/contract`,
      eventTypes: ['product.*'],
      status: 'paused',
    }),
    invalid: {
      body: { name: '', url: 'ftp://x', eventTypes: [] },
      pointers: ['/name', '/url', '/eventTypes'],
    },
    update: { body: { name: 'Renamed hook' }, expect: { name: 'Renamed hook' } },
  });

  it('answers the secret once, never in reads, lists, logs or the audit log', async () => {
    const created = await subscribe(owner, { eventTypes: ['product.created', 'contact.*'] });
    expect(created.secret).toMatch(/^whsec_/);
    const secret = created.secret!;
    const one = await owner.get(`/api/v1/webhook-subscriptions/${created.id}`).expect(200);
    const list = await owner.get('/api/v1/webhook-subscriptions?size=100').expect(200);
    for (const body of [one.body, list.body]) expect(JSON.stringify(body)).not.toContain(secret);
    expect(one.body).not.toHaveProperty('secret');
    const rotated = await owner
      .post(`/api/v1/webhook-subscriptions/${created.id}/rotate-secret`)
      .set('If-Match', `"${created.version}"`)
      .expect(201);
    const newSecret = (rotated.body as Subscription).secret!;
    expect(newSecret).not.toBe(secret);
    const [stored] = await t.dataSource.query<{ secret_sealed: string }[]>(
      'SELECT secret_sealed FROM webhook_subscriptions WHERE id = $1',
      [created.id],
    );
    const audit = await t.dataSource.query<{ action: string; changes: unknown }[]>(
      `SELECT action, changes FROM audit_logs WHERE entity_id = $1 ORDER BY created_at`,
      [created.id],
    );
    expect(audit.map((a) => a.action)).toEqual(['create', 'rotate_secret']);
    const logs = JSON.stringify(t.logs.lines());
    for (const value of [secret, newSecret]) {
      expect(stored.secret_sealed).not.toContain(value.slice(6));
      expect(JSON.stringify(audit)).not.toContain(value);
      expect(logs).not.toContain(value);
    }
    // Rotation needs webhooks:manage; a stale If-Match is 412.
    await updater.post(`/api/v1/webhook-subscriptions/${created.id}/rotate-secret`).expect(403);
    await owner
      .post(`/api/v1/webhook-subscriptions/${created.id}/rotate-secret`)
      .set('If-Match', `"${created.version}"`)
      .expect(412);
    await other.post(`/api/v1/webhook-subscriptions/${created.id}/rotate-secret`).expect(404);
  });

  // `localhost` itself resolves to the allow-listed 127.0.0.1 here; without the allow-list it is
  // refused (src/core/http-egress/http-egress.spec.ts), and at delivery (the strict worker below).
  it('refuses private targets at creation (422, nothing written) unless allow-listed', async () => {
    const before = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM webhook_subscriptions',
    );
    for (const url of [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      `http://127.0.0.2:${port}/hook`, // loopback, but not the allow-listed address
      'http://0x7f.2/hook',
      'http://2130706434/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.2]/hook',
    ]) {
      const res = await owner
        .post('/api/v1/webhook-subscriptions')
        .send({ name: 'Private', url, eventTypes: ['tag.created'] });
      expect(res.status).toBe(422);
      expect(codeOf(res)).toMatchObject({
        code: 'webhook_url_not_allowed',
        source: { pointer: '/url' },
      });
    }
    const unknown = await owner
      .post('/api/v1/webhook-subscriptions')
      .send({ name: 'x', url: `${base()}/x`, eventTypes: ['tag.created', 'spaceship.*'] });
    expect(codeOf(unknown)).toMatchObject({
      code: 'unknown_event_type',
      source: { pointer: '/eventTypes/1' },
    });
    const nul = await owner
      .post('/api/v1/webhook-subscriptions')
      .send({ name: 'a\u0000b', url: `${base()}/x`, eventTypes: ['tag.created'] });
    expect(nul.status).toBe(422);
    const huge = await owner
      .post('/api/v1/webhook-subscriptions')
      .send({ name: 'x', url: `${base()}/${'a'.repeat(3000)}`, eventTypes: ['tag.created'] });
    expect(huge.status).toBe(422);
    const after = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM webhook_subscriptions',
    );
    expect(after).toEqual(before);
    // A URL change is checked too.
    const sub = await subscribe(owner);
    const moved = await owner
      .patch(`/api/v1/webhook-subscriptions/${sub.id}`)
      .send({ url: 'http://192.168.0.10/' });
    expect(codeOf(moved)).toMatchObject({ code: 'webhook_url_not_allowed' });
  });

  it('delivers signed events that verify with the secret from creation', async () => {
    const sub = await subscribe(owner, { url: `${base()}/signed` });
    const tagId = await createTag(owner);
    await relay();
    await until(() => received.some((r) => r.url === '/signed'));
    const hit = received.find((r) => r.url === '/signed')!;
    const signature = String(hit.headers['x-alees-signature']);
    const [, t0, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
    const expected = createHmac('sha256', sub.secret!).update(`${t0}.${hit.body}`).digest('hex');
    expect(v1).toBe(expected);
    expect(Math.abs(Date.now() / 1000 - Number(t0))).toBeLessThan(60);
    const payload = JSON.parse(hit.body) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'tag.created',
      organizationId: owner.organization.id,
      data: { entityType: 'tag', entityId: tagId, changedFields: [] },
    });
    expect(hit.headers['x-alees-event']).toBe('tag.created');
    expect(hit.headers['user-agent']).toMatch(/^Alees-Webhooks\//);
    const [row] = await deliveries(owner.organization.id, sub.id);
    expect(hit.headers['x-alees-delivery']).toBe(row.id);
    expect(payload.id).toBe(row.event_id);
    await until(
      async () => (await deliveries(owner.organization.id, sub.id))[0].status === 'succeeded',
    );
    // Handling the same events again inserts nothing (unique per subscription and event).
    await relay();
    expect(await deliveries(owner.organization.id, sub.id)).toHaveLength(1);
    // Another tenant's subscription to the same type got nothing.
    const foreign = await subscribe(other, { url: `${base()}/foreign` });
    await relay();
    expect(await deliveries(other.organization.id, foreign.id)).toHaveLength(0);
  });

  it('retries a 500 with backoff until it succeeds; lists deliveries newest first by status', async () => {
    const sub = await subscribe(owner, { url: `${base()}/flaky` });
    flakyAnswers.push(500, 503);
    await createTag(owner);
    await relay();
    await until(
      async () => (await deliveries(owner.organization.id, sub.id))[0]?.status === 'succeeded',
    );
    const page = await reader.get(`/api/v1/webhook-subscriptions/${sub.id}/deliveries`).expect(200);
    const [delivery] = (page.body as { items: Delivery[] }).items;
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, responseStatus: 200 });
    expect(delivery.attemptLog).toHaveLength(3);
    const failedOnly = await reader
      .get(`/api/v1/webhook-subscriptions/${sub.id}/deliveries?status=failed`)
      .expect(200);
    expect((failedOnly.body as { total: number }).total).toBe(0);
    await reader.get(`/api/v1/webhook-subscriptions/${sub.id}/deliveries?status=bogus`).expect(422);
    await other.get(`/api/v1/webhook-subscriptions/${sub.id}/deliveries`).expect(404);
    await actors.stranger.get(`/api/v1/webhook-subscriptions/${sub.id}/deliveries`).expect(403);
  });

  it('redelivers on request (202, a new attempt); 403 without manage, 404 across subscriptions and tenants', async () => {
    const sub = await subscribe(owner, { url: `${base()}/again` });
    const second = await subscribe(owner, {
      url: `${base()}/second`,
      eventTypes: ['status.created'],
    });
    await createTag(owner);
    await relay();
    await until(
      async () => (await deliveries(owner.organization.id, sub.id))[0]?.status === 'succeeded',
    );
    const [row] = await deliveries(owner.organization.id, sub.id);
    const hits = () => received.filter((r) => r.url === '/again').length;
    const before = hits();
    const retryUrl = `/api/v1/webhook-subscriptions/${sub.id}/deliveries/${row.id}/retry`;
    await updater.post(retryUrl).expect(403);
    await other.post(retryUrl).expect(404);
    await owner
      .post(`/api/v1/webhook-subscriptions/${second.id}/deliveries/${row.id}/retry`)
      .expect(404);
    await owner
      .post(`/api/v1/webhook-subscriptions/${sub.id}/deliveries/${randomUUID()}/retry`)
      .expect(404);
    const res = await owner.post(retryUrl).expect(202);
    expect(res.body).toMatchObject({ id: row.id, status: 'pending' });
    await until(() => hits() > before);
    await until(async () => {
      const [now] = await deliveries(owner.organization.id, sub.id);
      return now.status === 'succeeded' && now.attempts === 2;
    });
    expect(await deliveries(owner.organization.id, sub.id)).toHaveLength(1);
  });

  it('a 410 pauses the subscription (audited, Owners notified); resuming resets it', async () => {
    const gone = await subscribe(owner, { url: `${base()}/gone` });
    await createTag(owner);
    await relay();
    await until(async () => {
      const res = await owner.get(`/api/v1/webhook-subscriptions/${gone.id}`).expect(200);
      return (res.body as Subscription).status === 'paused';
    });
    const paused = (await owner.get(`/api/v1/webhook-subscriptions/${gone.id}`))
      .body as Subscription;
    expect(paused.pausedReason).toBe('gone');
    const [delivery] = await deliveries(owner.organization.id, gone.id);
    expect(delivery.status).toBe('failed');
    const audit = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_id = $1 AND action = 'pause'`,
      [gone.id],
    );
    expect(audit).toHaveLength(1);
    // The organization's Owners (and Admins) are told; the updater (a custom role) is not.
    const notified = await t.dataSource.query<{ recipient_user_id: string; title: string }[]>(
      `SELECT recipient_user_id, title FROM notifications
        WHERE organization_id = $1 AND type = 'webhook.paused' AND data->>'subscriptionId' = $2`,
      [owner.organization.id, gone.id],
    );
    expect(notified).toEqual([
      { recipient_user_id: owner.user.id, title: 'Webhook "Receiver" paused' },
    ]);
    // Resuming resets the failure count.
    const resumed = await updater
      .patch(`/api/v1/webhook-subscriptions/${gone.id}`)
      .set('If-Match', `"${paused.version}"`)
      .send({ status: 'active' })
      .expect(200);
    expect(resumed.body).toMatchObject({
      status: 'active',
      pausedReason: null,
      consecutiveFailures: 0,
    });
  });

  it('deliveries failing past the retry window fail; two in a row pause the subscription', async () => {
    const sub = await subscribe(owner, { url: `${base()}/down` });
    await createTag(owner);
    await createTag(owner);
    await relay();
    await until(async () => {
      const res = await owner.get(`/api/v1/webhook-subscriptions/${sub.id}`).expect(200);
      return (res.body as Subscription).status === 'paused';
    });
    const paused = (await owner.get(`/api/v1/webhook-subscriptions/${sub.id}`))
      .body as Subscription;
    expect(paused).toMatchObject({ pausedReason: 'failures', consecutiveFailures: 2 });
    const page = await owner
      .get(`/api/v1/webhook-subscriptions/${sub.id}/deliveries?status=failed`)
      .expect(200);
    const items = (page.body as { items: (Delivery & { responseBody: string })[] }).items;
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item.attempts).toBeGreaterThan(1); // retried before failing
      expect(item.responseStatus).toBe(500);
      expect(item.responseBody).toHaveLength(1024); // the 5,000-byte answer, cut to 1 KB
    }
  });

  it('without the allow-list: localhost is 422 at creation and a delivery to it is refused', async () => {
    const sub = await subscribe(owner, { url: `${base()}/later-refused` });
    // The worker restarts with a configuration that no longer allows 127.0.0.1.
    await worker.close();
    const strict = loadConfig({
      ENVIRONMENT: 'test',
      DATABASE_URL: t.config.database.url,
      DATABASE_DIRECT_URL: t.config.database.directUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: t.environment.redisPrefix,
      PORT: '0',
      WORKER_PORT: '0',
      DATABASE_POOL_SIZE: '3',
      WEBHOOK_POLL_MS: '100',
    });
    worker = await createWorkerApplication(strict, new LogCapture().stream, []);
    const strictApi = await createApiApplication(strict, {
      logDestination: new LogCapture().stream,
    });
    try {
      await strictApi.init();
      await strictApi.getHttpAdapter().getInstance().ready();
      for (const url of [`http://localhost:${port}/hook`, `http://127.0.0.1:${port}/hook`]) {
        const refused = await request(strictApi.getHttpServer())
          .post('/api/v1/webhook-subscriptions')
          .set(owner.headers)
          .send({ name: 'Local', url, eventTypes: ['tag.created'] });
        expect(refused.status).toBe(422);
        expect(codeOf(refused)).toMatchObject({
          code: 'webhook_url_not_allowed',
          meta: { reason: 'address', range: 'loopback' },
        });
      }
      await createTag(owner);
      await relay();
      await until(
        async () => (await deliveries(owner.organization.id, sub.id))[0]?.status === 'failed',
      );
      expect(received.some((r) => r.url === '/later-refused')).toBe(false);
      const page = await owner
        .get(`/api/v1/webhook-subscriptions/${sub.id}/deliveries`)
        .expect(200);
      expect(String((page.body as { items: { error: string }[] }).items[0].error)).toMatch(
        /^webhook_url_not_allowed/,
      );
    } finally {
      await strictApi.close();
      await worker.close();
      worker = await t.startWorker();
    }
  });

  it('the dispatcher picks up rows left due (a worker that died after the commit)', async () => {
    const sub = await subscribe(owner, { url: `${base()}/recovered` });
    await t.dataSource.query(
      `INSERT INTO webhook_deliveries (organization_id, subscription_id, event_id, event_type, payload, next_attempt_at)
       VALUES ($1, $2, $3, 'tag.created', '{"id":"x"}', now())`,
      [owner.organization.id, sub.id, randomUUID()],
    );
    await worker.get(WebhookDispatcher).flush();
    await until(() => received.some((r) => r.url === '/recovered'));
  });

  it('counts pending and failed deliveries on /metrics', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.text).toMatch(/webhook_deliveries_pending \d+/);
    expect(res.text).toMatch(/webhook_deliveries_failed [1-9]\d*/); // the 410 and the refused one
  });

  describe('automation action call_webhook', () => {
    const context = (permissions = ['webhooks:create']): AutomationActionContext => ({
      organizationId: owner.organization.id,
      actor: {
        kind: 'user',
        userId: owner.user.id,
        apiKeyId: null,
        isSuperuser: false,
        organizationId: owner.organization.id,
        permissions: new Set(permissions),
        scopeKey: owner.user.id,
        language: null,
        organizationLanguage: null,
      },
      context: { actorUserId: null, actorApiKeyId: null, requestId: null, ip: null },
      target: { entityType: 'product', entityId: randomUUID() },
      event: null,
      ruleId: randomUUID(),
      runId: randomUUID(),
    });
    const action = () => t.app.get(AutomationActionRegistry).get('call_webhook')!;
    const errorCode = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return 'resolved';
    };

    it('is registered in the API and the worker, with a JSON schema', () => {
      expect(action().paramsSchema).toMatchObject({ required: ['url'] });
      expect(worker.get(AutomationActionRegistry).get('call_webhook')).toBeDefined();
    });

    it('previews without sending: the URL is checked, headers named, the secret not shown', async () => {
      const before = received.length;
      const preview = await action().preview(context(), {
        url: `${base()}/action`,
        body: { hello: 'world' },
        headers: { 'X-Trace': 'abc' },
        secret: 'a-very-secret-value-123',
      });
      expect(preview.output).toMatchObject({
        wouldSend: { method: 'POST', body: { hello: 'world' }, signed: true },
      });
      expect(JSON.stringify(preview)).not.toContain('a-very-secret-value-123');
      expect(received.length).toBe(before);
      expect(await errorCode(action().preview(context(), { url: 'http://10.1.2.3/' }))).toBe(
        'webhook_url_not_allowed',
      );
      expect(
        await errorCode(
          action().preview(context(), { url: `${base()}/a`, headers: { Host: 'evil' } }),
        ),
      ).toBe('invalid_webhook_call');
      expect(
        await errorCode(action().preview(context(['webhooks:read']), { url: `${base()}/a` })),
      ).toBe('call_webhook_not_permitted');
    });

    it('runs a signed POST through the same client; a 500 fails the step', async () => {
      const secret = 'another-secret-value-456';
      const result = await action().run(context(), {
        url: `${base()}/action-run`,
        body: { n: 1 },
        secret,
      });
      expect(result).toMatchObject({ status: 'succeeded', output: { responseStatus: 200 } });
      const hit = received.find((r) => r.url === '/action-run')!;
      expect(hit.body).toBe('{"n":1}');
      const [, t0, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(
        String(hit.headers['x-alees-signature']),
      )!;
      expect(createHmac('sha256', secret).update(`${t0}.${hit.body}`).digest('hex')).toBe(v1);
      flakyAnswers.push(500);
      expect(await errorCode(action().run(context(), { url: `${base()}/flaky` }))).toBe(
        'webhook_call_failed',
      );
    });
  });
});
