import { createHmac, randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Actor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Issue 19 across its three parts, through HTTP and the worker: an approval on a product's
 * workflow fires an automation rule (`workflow.transitioned`) whose actions tag the product and
 * call an external URL signed with the rule's secret, while a webhook subscription hears the
 * product's status change — the receiver is a real HTTP server.
 */
describe('process: workflow → automation → webhooks', () => {
  let t: TestApp;
  let owner: Actor;
  let server: Server;
  let base: string;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await createTestApp({
      env: { WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1', WEBHOOK_POLL_MS: '100' },
    });
    await t.startWorker();
    owner = await createTenant(t);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Waits for a committed condition (polls every 100 ms, 15 s at most). */
  async function until<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('an approval tags the product, calls the signed URL and notifies the subscriber', async () => {
    const [ownerRole] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM roles WHERE organization_id IS NULL AND name = 'Owner'`,
    );
    const workflow = (
      await owner
        .post('/api/v1/workflows')
        .send({
          entityType: 'product',
          name: 'Release',
          states: [
            { code: 'draft', isInitial: true, editRoleIds: [ownerRole.id] },
            // Editable by owners once released (an empty list would lock it: the rule could not tag it).
            { code: 'active', isFinal: true, editRoleIds: [ownerRole.id] },
          ],
          transitions: [{ action: 'release', from: 'draft', to: 'active' }],
        })
        .expect(201)
    ).body as { id: string };
    await owner.post(`/api/v1/workflows/${workflow.id}/activate`).expect(200);

    const secret = 'rule-secret-0123456789';
    await owner
      .post('/api/v1/automation-rules')
      .send({
        name: 'Announce releases',
        entityType: 'product',
        trigger: { type: 'workflow.transitioned', action: 'release', to: 'active' },
        actions: [
          { type: 'add_tag', params: { names: ['released'] } },
          {
            type: 'call_webhook',
            params: {
              url: `${base}/rule`,
              body: { note: 'released' },
              secret,
              headers: { Authorization: 'Bearer receiver-token-42' },
            },
          },
        ],
      })
      .expect(201);
    const subscription = (
      await owner
        .post('/api/v1/webhook-subscriptions')
        .send({ name: 'Shop', url: `${base}/subscription`, eventTypes: ['product.*'] })
        .expect(201)
    ).body as { id: string; secret: string };

    const product = (
      await owner
        .post('/api/v1/products')
        .send({ sku: `REL-${randomUUID().slice(0, 8)}`, name: 'Release tea', type: 'goods' })
        .expect(201)
    ).body as { id: string };
    await owner
      .post(`/api/v1/workflow-instances/product/${product.id}/transitions`)
      .set('If-Match', '"0"')
      .send({ action: 'release' })
      .expect(200);

    // The rule's run: both steps succeeded, as the owner (the rule's run-as user), at depth 1.
    const run = await until(async () => {
      const [row] = await t.dataSource.query<
        { status: string; causation_depth: number; error: unknown; steps: unknown }[]
      >(
        `SELECT r.status, r.causation_depth, r.error, r.steps FROM automation_runs r
          WHERE r.organization_id = $1 AND r.status IN ('succeeded', 'failed')`,
        [owner.organization.id],
      );
      return row;
    });
    expect(run).toMatchObject({ status: 'succeeded', causation_depth: 0 });
    const tags = (await owner.get(`/api/v1/products/${product.id}`).expect(200)).body as {
      tags: string[];
      status: string;
    };
    expect(tags).toMatchObject({ status: 'active', tags: ['released'] });

    // The rule's call: the body it was given, signed with its secret over "<t>.<body>".
    const call = await until(() => received.find((r) => r.url === '/rule'));
    expect(JSON.parse(call.body)).toEqual({ note: 'released' });
    const signature = String(call.headers['x-alees-signature']);
    const [, timestamp, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
    expect(createHmac('sha256', secret).update(`${timestamp}.${call.body}`).digest('hex')).toBe(v1);
    // The header value, sealed at rest and masked in answers, reaches the receiver as written.
    expect(call.headers.authorization).toBe('Bearer receiver-token-42');

    // The subscriber hears the product's events (created, then the status change and the tag),
    // each signed with the subscription's secret.
    const deliveries = await until(() => {
      const mine = received.filter((r) => r.url === '/subscription');
      const types = mine.map((r) => String(r.headers['x-alees-event']));
      return types.includes('product.created') && types.some((type) => type !== 'product.created')
        ? mine
        : undefined;
    });
    for (const delivery of deliveries) {
      const [, ts, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(
        String(delivery.headers['x-alees-signature']),
      )!;
      expect(
        createHmac('sha256', subscription.secret).update(`${ts}.${delivery.body}`).digest('hex'),
      ).toBe(mac);
      expect((JSON.parse(delivery.body) as { data: { entityId: string } }).data.entityId).toBe(
        product.id,
      );
    }
  }, 60_000);

  it('field.changed with from and to fires only on that change, and subscribers see the previous value', async () => {
    await owner
      .post('/api/v1/automation-rules')
      .send({
        name: 'Repriced from 10',
        entityType: 'product',
        trigger: { type: 'field.changed', field: 'price', from: '10.00', to: '12.50' },
        actions: [{ type: 'add_tag', params: { names: ['repriced'] } }],
      })
      .expect(201);
    const create = async (sku: string, price: string) =>
      (
        await owner
          .post('/api/v1/products')
          .send({ sku, name: `Priced ${sku}`, type: 'goods', price, currencyCode: 'EUR' })
          .expect(201)
      ).body as { id: string; version: number };
    const fromTen = await create(`P10-${randomUUID().slice(0, 6)}`, '10.00');
    const fromEleven = await create(`P11-${randomUUID().slice(0, 6)}`, '11.00');
    for (const product of [fromTen, fromEleven])
      await owner
        .patch(`/api/v1/products/${product.id}`)
        .set('If-Match', `"${product.version}"`)
        .send({ price: '12.50' })
        .expect(200);

    const tagsOf = async (id: string) =>
      ((await owner.get(`/api/v1/products/${id}`).expect(200)).body as { tags: string[] }).tags;
    await until(async () => ((await tagsOf(fromTen.id)).includes('repriced') ? true : undefined));
    // The other product's update was relayed too (its delivery reached the subscriber of the
    // first test), and the rule passed it over: it changed from 11.00.
    const update = await until(() =>
      received.find(
        (r) =>
          r.url === '/subscription' &&
          r.headers['x-alees-event'] === 'product.updated' &&
          r.body.includes(fromEleven.id),
      ),
    );
    expect(
      (JSON.parse(update.body) as { data: { previous: Record<string, unknown> } }).data.previous,
    ).toEqual({ price: '11.0000' });
    expect(await tagsOf(fromEleven.id)).toEqual([]);
  }, 60_000);
});
