import { runCommand } from '../../src/cli/commands';
import { DomainEvents } from '../../src/modules/domain-events';
import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Hit {
  type: string;
  id: string;
  title: string;
  subtitle: string | null;
  highlight: string;
  score: number;
}
interface Result {
  items: Hit[];
  correctedQuery: string | null;
  types: string[];
  backend: string;
}
interface Envelope {
  errors: { code: string; source?: { parameter?: string } }[];
}

describe('search (PostgreSQL backend, outbox, reindex)', () => {
  let t: TestApp;
  let owner: Actor;
  let stranger: Actor;
  let other: Actor;
  let keyboard: string;
  let otherKeyboard: string;

  const product = async (actor: Actor, sku: string, name: string, description = '') =>
    (
      (
        await actor
          .post('/api/v1/products')
          .send({ sku, name, description, type: 'goods' })
          .expect(201)
      ).body as { id: string }
    ).id;
  const search = async (actor: Actor, query: string) =>
    (await actor.get(`/api/v1/search?${query}`).expect(200)).body as Result;
  const titles = (result: Result) => result.items.map((hit) => hit.title);
  /** The worker's relay has delivered every domain event (so the search consumer has run). */
  const outboxEmpty = async (timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM domain_events',
      );
      if (n === 0) return;
      if (Date.now() > deadline) throw new Error(`domain_events still holds ${n} rows`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.startWorker();
    owner = await createTenant(t);
    stranger = await addActor(t, owner.organization, []);
    other = await createTenant(t);
    keyboard = await product(owner, 'KB-100', 'Wireless Keyboard', 'Bluetooth, 78 keys');
    await product(owner, 'MS-200', 'Wired Mouse');
    await product(owner, 'CL-300', 'Keyboard Cleaner Spray', 'For wireless and wired keyboards');
    await owner
      .post('/api/v1/contacts')
      .send({
        kind: 'company',
        displayName: 'Wireless Solutions Ltd',
        companyName: 'Wireless Solutions',
      })
      .expect(201);
    otherKeyboard = await product(other, 'KB-100', 'Wireless Keyboard Deluxe');
  });
  afterAll(async () => t.close());

  it('finds "wireless keyb" → "Wireless Keyboard" first, ranked and highlighted, across types', async () => {
    const result = await search(owner, 'q=wireless%20keyb');
    expect(result.backend).toBe('postgres');
    expect(result.types).toEqual(['products', 'contacts']);
    expect(result.items[0]).toMatchObject({
      type: 'products',
      id: keyboard,
      title: 'Wireless Keyboard',
      subtitle: 'KB-100',
      highlight: '<mark>Wireless</mark> <mark>Keyboard</mark>',
    });
    // The cleaner mentions both words in its description only: found, ranked below.
    expect(titles(result)).toEqual(['Wireless Keyboard', 'Keyboard Cleaner Spray']);
    const all = await search(owner, 'q=wireless');
    expect(all.items.map((hit) => hit.type).sort()).toEqual(['contacts', 'products', 'products']);
    expect(titles(await search(owner, 'q=wireless&types=contacts'))).toEqual([
      'Wireless Solutions Ltd',
    ]);
    // Web search syntax: an excluded word.
    expect(titles(await search(owner, 'q=keyboard%20-cleaner&types=products'))).toEqual([
      'Wireless Keyboard',
    ]);
  });

  it('forgives typos when nothing matches exactly, and says what it searched for instead', async () => {
    await outboxEmpty(); // the relay learns each organization's title words
    const result = await search(owner, 'q=wireles%20keybord&types=products');
    // "wireles" already starts a known word (a prefix); "keybord" starts none and is corrected.
    expect(result.correctedQuery).toBe('wireles keyboard');
    expect(titles(result)[0]).toBe('Wireless Keyboard');
    expect((await search(owner, 'q=wireless')).correctedQuery).toBeNull();
    // Words are learnt per organization: another tenant's titles never correct a query.
    const theirs = await search(other, 'q=solutoins&types=products');
    expect(theirs).toMatchObject({ items: [], correctedQuery: null });
  });

  it('never shows another organization’s rows, in search or in ?q= lists', async () => {
    const mine = await search(owner, 'q=wireless%20keyb');
    expect(mine.items.map((hit) => hit.id)).not.toContain(otherKeyboard);
    const theirs = await search(other, 'q=wireless%20keyb');
    expect(theirs.items.map((hit) => hit.id)).toEqual([otherKeyboard]);
    const list = await other.get('/api/v1/products?q=wireless%20keyb').expect(200);
    expect((list.body as { items: { id: string }[] }).items.map((p) => p.id)).toEqual([
      otherKeyboard,
    ]);
    await other
      .get('/api/v1/search?q=wireless')
      .set('X-Organization-Id', owner.organization.id)
      .expect(403);
  });

  it('finds candidates through the index only for the transaction’s organization', async () => {
    const run = (org: string | null) =>
      t.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT set_config('role', 'alees_tenant', true)`);
        if (org) await manager.query(`SELECT set_config('app.current_org', $1, true)`, [org]);
        return manager.query<{ id: string }[]>(
          `SELECT id FROM search_candidates('products', search_prefix_query('wireless keyb'), 10)`,
        );
      });
    expect((await run(other.organization.id)).map((r) => r.id)).toEqual([otherKeyboard]);
    await expect(run(null)).rejects.toThrow(/no organization in context/);
  });

  it('refuses bad input with 422 and callers who may read nothing with 403', async () => {
    for (const query of ['', 'q=', 'q=x&types=spaceships', 'q=x&limit=0', 'q=x&limit=51']) {
      const res = await owner.get(`/api/v1/search?${query}`).expect(422);
      expect((res.body as Envelope).errors[0].code).toBe('validation_error');
    }
    const res = await stranger.get('/api/v1/search?q=wireless').expect(403);
    expect((res.body as Envelope).errors[0].code).toBe('forbidden');
    await stranger.get('/api/v1/search?q=wireless&types=products').expect(403);
  });

  it('indexes a change from its domain event, which the worker delivers after commit', async () => {
    await outboxEmpty();
    await owner
      .patch(`/api/v1/products/${keyboard}`)
      .send({ name: 'Ergonomic Keyboard' })
      .expect(200);
    await outboxEmpty();
    expect(titles(await search(owner, 'q=ergonomic'))).toEqual(['Ergonomic Keyboard']);
    // The relay learnt the new word for typo correction.
    expect((await search(owner, 'q=ergonomc')).correctedQuery).toBe('ergonomic');
    expect(titles(await search(owner, 'q=wireless%20keyb&types=products'))).toEqual([
      'Keyboard Cleaner Spray',
    ]);
    // A rolled-back write leaves no event behind, and the index keeps the committed name.
    const events = t.app.get(DomainEvents);
    await t.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE products SET name = 'Ghost' WHERE id = $1`, [keyboard]);
      await events.publish(manager, {
        organizationId: owner.organization.id,
        type: 'product.updated',
        entityType: 'product',
        entityId: keyboard,
        actorUserId: null,
        actorApiKeyId: null,
        changedFields: ['name'],
      });
      const [{ n }] = await manager.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM domain_events WHERE entity_id = $1',
        [keyboard],
      );
      expect(n).toBe(1);
      await manager.query('ROLLBACK; BEGIN');
    });
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM domain_events WHERE entity_id = $1',
      [keyboard],
    );
    expect(n).toBe(0);
    expect(titles(await search(owner, 'q=ghost'))).toEqual([]);
  });

  it('keeps answering while `reindex` rebuilds the indexes', async () => {
    // Enough rows that the rebuild takes a while (30,000 + 3 here + 1 in the other tenant).
    await t.dataSource.query(
      `INSERT INTO products (organization_id, sku, name, type, uom_code)
       SELECT $1, 'BULK-' || g, 'Bulk item ' || g, 'goods', 'pc' FROM generate_series(1, 30000) g`,
      [owner.organization.id],
    );
    let done = false;
    const lines: string[] = [];
    const reindex = runCommand('reindex', [], t.config, (line) => lines.push(line)).finally(() => {
      done = true;
    });
    let answered = 0;
    while (!done) {
      const result = await search(owner, 'q=ergonomic');
      expect(titles(result)).toEqual(['Ergonomic Keyboard']);
      answered += 1;
    }
    await reindex;
    expect(answered).toBeGreaterThan(0);
    expect(lines).toEqual([
      expect.stringMatching(/^reindex: products 30004 rows on postgres in \d+ ms$/),
      expect.stringMatching(/^reindex: contacts 1 rows on postgres in \d+ ms$/),
    ]);
    expect(titles(await search(owner, 'q=bulk%20item%2029999'))).toContain('Bulk item 29999');
  });
});
