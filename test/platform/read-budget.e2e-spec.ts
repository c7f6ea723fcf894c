import Redis from 'ioredis';
import { Client } from 'pg';
import { LocalCache } from '../../src/core/cache';
import { TenantDatabase } from '../../src/core/tenancy';
import { NotificationsService } from '../../src/modules/notifications';
import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Issue 21's read budget: in steady state (caches warm) a list and a get make at most one
 * PostgreSQL round trip and at most one Redis round trip. PostgreSQL round trips are the pg
 * client's `query` calls (one message exchange each, whatever the statement text holds); Redis
 * round trips are the commands the app's own clients (cache, rate limit, flags) send.
 */
describe('read budget: one PostgreSQL and one Redis round trip per cached read', () => {
  let t: TestApp;
  let owner: Actor;
  let productId: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    for (const sku of ['RB-1', 'RB-2', 'RB-3']) {
      const res = await owner
        .post('/api/v1/products')
        .send({ sku, name: `Budget ${sku}`, type: 'goods', uomCode: 'pc' })
        .expect(201);
      productId = (res.body as { id: string }).id;
    }
  });
  afterAll(async () => t.close());

  /** Round trips made while `work` runs, per server. */
  async function roundTrips(work: () => Promise<unknown>): Promise<{ pg: number; redis: number }> {
    const prefix = t.config.redis.keyPrefix;
    const pgSpy = jest.spyOn(Client.prototype, 'query');
    const redisSpy = jest.spyOn(Redis.prototype, 'sendCommand');
    try {
      pgSpy.mockClear();
      redisSpy.mockClear();
      await work();
      const redis = redisSpy.mock.contexts.filter(
        (client) => (client as Redis).options.keyPrefix === (prefix || undefined),
      ).length;
      return { pg: pgSpy.mock.calls.length, redis };
    } finally {
      pgSpy.mockRestore();
      redisSpy.mockRestore();
    }
  }

  it('runs with the in-memory cache live (its subscription is up)', () => {
    expect(t.app.get(LocalCache).isLive).toBe(true);
  });

  it('a product list with an exact total: ≤ 1 PostgreSQL and ≤ 1 Redis round trip', async () => {
    const list = () => owner.get('/api/v1/products?page=1&size=20&sort=name').expect(200);
    await list(); // warm: principal, permissions, count
    const spent = await roundTrips(async () => {
      const res = await list();
      expect((res.body as { total: number }).total).toBe(3);
    });
    // Exactly: the page query (RLS settings in the same message) and the rate-limit script.
    expect(spent).toEqual({ pg: 1, redis: 1 });
  });

  it('a product get: ≤ 1 PostgreSQL and ≤ 1 Redis round trip', async () => {
    const get = () => owner.get(`/api/v1/products/${productId}`).expect(200);
    await get();
    const spent = await roundTrips(async () => {
      const res = await get();
      expect((res.body as { id: string }).id).toBe(productId);
    });
    expect(spent).toEqual({ pg: 1, redis: 1 });
  });

  it('unread count and notification list: 1 and 2 PostgreSQL round trips at 1 or 25 notifications', async () => {
    // Issue 17: the counts are maintained (notification_counters), never counted at read time.
    const person = await addActor(t, owner.organization, ['Member']);
    const notify = (count: number) =>
      t.app.get(TenantDatabase).run(owner.organization.id, async (manager) => {
        for (let i = 0; i < count; i += 1) {
          await t.app.get(NotificationsService).notify(manager, {
            organizationId: owner.organization.id,
            recipientUserIds: [person.user.id],
            type: 'broadcast',
            actorUserId: null,
            title: `Budget ${i}`,
          });
        }
      });
    const measure = async () => {
      const unread = () => person.get('/api/v1/notifications/unread-count').expect(200);
      const list = () => person.get('/api/v1/notifications?size=20').expect(200);
      await unread();
      await list();
      return {
        unread: await roundTrips(unread),
        list: await roundTrips(list),
        total: ((await list()).body as { total: number }).total,
      };
    };
    await notify(1);
    const few = await measure();
    await notify(24);
    const many = await measure();
    expect(few).toEqual({ unread: { pg: 1, redis: 1 }, list: { pg: 2, redis: 1 }, total: 1 });
    expect(many).toEqual({ ...few, total: 25 });
  });

  it('a write still invalidates at once: the next list counts the new product', async () => {
    await owner.get('/api/v1/products').expect(200);
    await owner
      .post('/api/v1/products')
      .send({ sku: 'RB-4', name: 'Budget RB-4', type: 'goods', uomCode: 'pc' })
      .expect(201);
    const res = await owner.get('/api/v1/products').expect(200);
    expect((res.body as { total: number }).total).toBe(4);
  });

  it('the read path keeps row-level security: another tenant gets 404 for the same id', async () => {
    const other = await createTenant(t);
    await other.get(`/api/v1/products/${productId}`).expect(404);
    const res = await other.get('/api/v1/products').expect(200);
    expect((res.body as { total: number }).total).toBe(0);
  });
});
