import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { LocalCache } from '../../src/core/cache';
import { TenantDatabase } from '../../src/core/tenancy';
import { NotificationsService } from '../../src/modules/notifications';
import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/** The statement texts sent to PostgreSQL while `work` runs, and the Redis round trip count. */
async function traced(
  t: TestApp,
  work: () => Promise<unknown>,
): Promise<{ pg: string[]; redis: number }> {
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
    const pg = pgSpy.mock.calls.map(([text]) =>
      typeof text === 'string' ? text : String((text as { text?: string }).text),
    );
    return { pg, redis };
  } finally {
    pgSpy.mockRestore();
    redisSpy.mockRestore();
  }
}

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

  /**
   * Round trips made while `work` (a read) runs, per server: the fewest of three runs. Steady
   * state is the claim: an in-memory entry whose lifetime (10 s at most) ends between the warm-up
   * and a measured run reloads once — seen when the file took 62 s on a machine at twice its load.
   */
  async function roundTrips(work: () => Promise<unknown>): Promise<{ pg: number; redis: number }> {
    let best: { pg: number; redis: number } | undefined;
    for (let i = 0; i < 3; i += 1) {
      const { pg, redis } = await traced(t, work);
      if (!best || pg.length + redis < best.pg + best.redis) best = { pg: pg.length, redis };
    }
    return best!;
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

  it('an audited write sends its audit row and outbox event with COMMIT: a stock receipt in 4 round trips', async () => {
    const code = randomUUID().slice(0, 8);
    const warehouse = await owner
      .post('/api/v1/warehouses')
      .send({ code: `W-${code}`, name: 'Main' })
      .expect(201);
    const location = await owner
      .post('/api/v1/stock-locations')
      .send({ warehouseId: (warehouse.body as { id: string }).id, code: `L-${code}`, name: 'Bin' })
      .expect(201);
    const receipt = () =>
      owner
        .post('/api/v1/stock-moves')
        .send({ productId, toLocationId: (location.body as { id: string }).id, quantity: '2' })
        .expect(201);
    await receipt(); // warm: the level row exists, caches are filled
    const { pg } = await traced(t, receipt);
    // BEGIN + tenant settings; product check + location share-lock (queryTogether); level +
    // ledger; audit + outbox + COMMIT.
    expect(pg).toHaveLength(4);
    expect(pg[0]).toMatch(/^BEGIN;/);
    expect(pg[1]).toMatch(
      /FROM products[\s\S]*;\nSELECT[\s\S]*FROM stock_locations[\s\S]*FOR SHARE$/,
    );
    expect(pg[3]).toMatch(
      /INSERT INTO audit_logs[\s\S]*INSERT INTO domain_events[\s\S]*;\nCOMMIT$/,
    );
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_logs WHERE organization_id = $1 AND entity_type = 'stock_move'`,
      [owner.organization.id],
    );
    expect(n).toBe(2);
  });

  it('a product create with a price and a tag: 7 round trips (reference data cached, no tag re-read)', async () => {
    const other = await createTenant(t); // the list tests below count this owner's products
    let n = 0;
    const create = () =>
      other
        .post('/api/v1/products')
        .send({
          sku: `RB-TAG-${(n += 1)}`,
          name: 'Tagged',
          type: 'goods',
          uomCode: 'pc',
          price: '1.50',
          currencyCode: 'EUR',
          tags: ['budget'],
        })
        .expect(201);
    await create(); // warm: the currency and unit answers and the tag exist
    const { pg } = await traced(t, create);
    // BEGIN + settings; custom-field rules; INSERT product; tags by key; INSERT taggings; the
    // product as answered; audit + outbox + COMMIT. (Before: + currency, + unit, + DELETE of the
    // fresh product's taggings, + re-read of its tag names = 11.)
    expect(pg).toHaveLength(7);
    expect(pg.join('\n')).not.toMatch(/FROM currencies|FROM units_of_measure|DELETE FROM taggings/);
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

/** A statement that opens a transaction (`withTenant`'s `BEGIN; …`, TypeORM's `START TRANSACTION`). */
const opensTransaction = (text: string): boolean => /^\s*(BEGIN|START TRANSACTION)\b/i.test(text);

/**
 * Issue 21 over every list route and the gets and target-scoped reads moved to
 * `TenantDatabase.read`: in steady state no transaction, at most `budget` PostgreSQL round trips
 * (a page and its exact count are one each) and at most one Redis round trip (the rate limit).
 * The list routes come from the served OpenAPI document (`x-list-resource`), so a new list is
 * held to the default budget without touching this file.
 */
describe('read budget: every list route and the gets on the read path', () => {
  /** Lists that run as the owner in a transaction (identity and reference tables, no tenant). */
  const SYSTEM_LISTS: Record<string, string> = {
    'login-history': "the caller's sign-ins across organizations (runAsSystem 'authentication')",
    users: "accounts span organizations (runAsSystem 'identity-directory')",
    organizations: "the organization tree (runAsSystem 'identity-directory')",
    currencies: "a global reference table (runAsSystem 'reference-data')",
    'units-of-measure': "a global reference table (runAsSystem 'reference-data')",
  };
  /** Lists that need more than the page and its count (default budget 2). */
  const LIST_BUDGET: Record<string, number> = {
    // The room's membership check, the count, the page.
    'chat-messages': 3,
    // The count, the page, the page's profiles.
    'member-directory': 3,
    // The caller's roles, the count, the page.
    'workflow-actions': 3,
  };
  const DEFAULT_LIST_BUDGET = 2;

  let t: TestApp;
  let owner: Actor;
  let lists: { path: string; resource: string }[];
  let ids: Record<string, string>;

  /**
   * The steady-state cost of `GET url`: after one warming call, the cheapest of three (the spies
   * also see what background work of the same process sends meanwhile, which only adds).
   */
  async function cost(url: string): Promise<{ pg: number; redis: number; transaction: boolean }> {
    const get = async () => {
      const res = await owner.get(url);
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await get();
    let best: { pg: number; redis: number; transaction: boolean } | undefined;
    for (let i = 0; i < 3; i += 1) {
      const { pg, redis } = await traced(t, get);
      const sample = { pg: pg.length, redis, transaction: pg.some(opensTransaction) };
      if (!best || sample.pg + sample.redis < best.pg + best.redis) best = sample;
    }
    return best!;
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' } });
    owner = await createTenant(t);
    const member = await addActor(t, owner.organization, ['Member']);
    const code = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
    const post = async (url: string, body: object): Promise<string> => {
      const res = await owner.post(`/api/v1${url}`).send(body);
      if (res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { id: string }).id;
    };
    const role = await post('/roles', { name: code('Role'), permissions: ['products:read'] });
    const category = await post('/categories', { type: 'product', name: 'Teas' });
    const product = await post('/products', {
      sku: code('SKU'),
      name: 'Green tea',
      type: 'goods',
      categoryId: category,
      tags: ['budget'],
    });
    const contact = await post('/contacts', { kind: 'company', displayName: 'Acme' });
    const warehouse = await post('/warehouses', { code: code('W'), name: 'Main' });
    const location = await post('/stock-locations', {
      warehouseId: warehouse,
      code: code('L'),
      name: 'Bin',
    });
    const stockMove = await post('/stock-moves', {
      productId: product,
      toLocationId: location,
      quantity: '5',
    });
    const taxJurisdiction = await post('/tax-jurisdictions', {
      code: code('FR'),
      name: 'France',
      countryCode: 'FR',
    });
    const taxCategory = await post('/tax-categories', { code: code('std'), name: 'Standard' });
    const taxRate = await post('/tax-rates', {
      jurisdictionId: taxJurisdiction,
      taxCategoryId: taxCategory,
      name: 'Standard FR',
      rate: '0.2',
      validFrom: '2024-01-01',
    });
    const schedule = await post('/schedules', {
      name: 'Hourly',
      taskName: 'stock.reconcile',
      intervalSeconds: 3600,
    });
    const folder = await post('/folders', { name: 'Budget folder' });
    const apiKey = await post('/api-keys', { name: 'integration', roleId: role });
    const chatRoom = await post('/chat-rooms', { name: 'Dock', participantIds: [member.user.id] });
    await post(`/chat-rooms/${chatRoom}/messages`, { body: 'hello' });
    const subscription = await post('/webhook-subscriptions', {
      name: 'Budget hook',
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['product.created'],
    });
    await post('/comments', { entityType: 'product', entityId: product, body: 'Steep it' });
    await post('/activities', {
      entityType: 'product',
      entityId: product,
      type: 'call',
      summary: 'Call the supplier',
      dueDate: '2030-01-31',
      assigneeUserId: owner.user.id,
    });
    await owner.put(`/api/v1/followers/product/${product}/me`).expect((res) => {
      expect(res.status).toBeLessThan(300);
    });
    ids = {
      role,
      category,
      product,
      contact,
      warehouse,
      location,
      stockMove,
      taxJurisdiction,
      taxCategory,
      taxRate,
      schedule,
      folder,
      apiKey,
      chatRoom,
      subscription,
    };
    const document = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { 'x-list-resource'?: string }>>;
    };
    lists = [];
    for (const [path, item] of Object.entries(document.paths)) {
      const resource = item.get?.['x-list-resource'];
      if (resource) lists.push({ path, resource });
    }
  }, 120_000);
  afterAll(() => t?.close());

  it('every tenant list: no transaction, ≤ its PostgreSQL budget, ≤ 1 Redis round trip', async () => {
    const parents: Record<string, string> = {
      '/api/v1/chat-rooms/{id}/messages': ids.chatRoom,
      '/api/v1/webhook-subscriptions/{id}/deliveries': ids.subscription,
    };
    const over: string[] = [];
    const system: string[] = [];
    for (const { path, resource } of lists) {
      const url = path.includes('{id}') ? path.replace('{id}', parents[path]) : path;
      const spent = await cost(url);
      if (resource in SYSTEM_LISTS) {
        system.push(resource);
        continue;
      }
      const budget = LIST_BUDGET[resource] ?? DEFAULT_LIST_BUDGET;
      if (spent.transaction || spent.pg > budget || spent.redis > 1)
        over.push(`${resource} (${url}): ${JSON.stringify(spent)}, budget ${budget}`);
    }
    expect(over).toEqual([]);
    expect(system.sort()).toEqual(Object.keys(SYSTEM_LISTS).sort());
    expect(lists.length).toBeGreaterThan(30);
  }, 120_000);

  it('gets and target-scoped reads: no transaction, ≤ their PostgreSQL budget', async () => {
    const { product } = ids;
    const reads: [string, number][] = [
      [`/api/v1/contacts/${ids.contact}`, 1],
      [`/api/v1/categories/${ids.category}`, 1],
      [`/api/v1/warehouses/${ids.warehouse}`, 1],
      [`/api/v1/stock-locations/${ids.location}`, 1],
      [`/api/v1/stock-moves/${ids.stockMove}`, 1],
      [`/api/v1/tax-jurisdictions/${ids.taxJurisdiction}`, 1],
      [`/api/v1/tax-categories/${ids.taxCategory}`, 1],
      [`/api/v1/tax-rates/${ids.taxRate}`, 1],
      [
        `/api/v1/tax-rates/lookup?jurisdictionId=${ids.taxJurisdiction}&taxCategoryId=${ids.taxCategory}&date=2025-01-01`,
        2,
      ],
      [`/api/v1/schedules/${ids.schedule}`, 1],
      [`/api/v1/folders/${ids.folder}`, 1],
      [`/api/v1/api-keys/${ids.apiKey}`, 1],
      ['/api/v1/roles', 1],
      [`/api/v1/roles/${ids.role}`, 1],
      [`/api/v1/chat-rooms/${ids.chatRoom}`, 1],
      ['/api/v1/me/notification-preferences', 1],
      [`/api/v1/content-translations/products/${product}`, 2],
      // Target-scoped: the target's existence (no share lock on the read path), then the rows.
      // Roots, replies, then their attachments and reactions.
      [`/api/v1/comments?entityType=product&entityId=${product}`, 5],
      // The organization's time zone (today), then the rows.
      [`/api/v1/activities?entityType=product&entityId=${product}`, 3],
      ['/api/v1/me/activities', 2],
      [`/api/v1/followers/product/${product}`, 2],
      [`/api/v1/attachments?entityType=product&entityId=${product}`, 2],
      [`/api/v1/taggings/product/${product}`, 2],
      // One page per source: audit, attachments, comments, done activities.
      [`/api/v1/timeline/product/${product}`, 5],
      // Products and contacts (one statement per type searched).
      ['/api/v1/search?q=green', 2],
    ];
    const over: string[] = [];
    for (const [url, budget] of reads) {
      const spent = await cost(url);
      if (spent.transaction || spent.pg > budget || spent.redis > 1)
        over.push(`${url}: ${JSON.stringify(spent)}, budget ${budget}`);
    }
    expect(over).toEqual([]);
  }, 120_000);
});
