import { WakeUps } from '../../src/core/redis';
import { Client, errors } from '@elastic/elasticsearch';
import Mock, { MockPattern } from '@elastic/elasticsearch-mock';
import { TenantDatabase } from '../../src/core/tenancy';
import { ElasticsearchSearchBackend } from '../../src/modules/search/elasticsearch-search.backend';
import {
  DomainEventConsumers,
  DomainEventsRelay,
  DomainEventsRepository,
} from '../../src/modules/domain-events';
import { SearchIndexConsumer } from '../../src/modules/search';
import { Actor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/** One request the backend sent, as Elasticsearch would receive it. */
interface Sent {
  method: string;
  path: string;
  body: unknown;
}

/** NDJSON bodies (bulk) arrive as a string or as already-split lines, depending on the client. */
const lines = (body: unknown): Record<string, unknown>[] => {
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  return String(body)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

/**
 * The Elasticsearch backend against a recorded contract (`@elastic/elasticsearch-mock`: the real
 * client, its real serialisation, answered in-process): what it sends for search, outbox changes
 * and reindex, and how it reads the answers. The real cluster runs in docker-compose.
 */
describe('search (Elasticsearch backend contract)', () => {
  let t: TestApp;
  let owner: Actor;
  let mock: Mock;
  let backend: ElasticsearchSearchBackend;
  let sent: Sent[];
  let aliasTarget: string | undefined;

  const record = (params: MockPattern) => {
    sent.push({ method: String(params.method), path: String(params.path), body: params.body });
  };
  const bulkAnswer = (params: MockPattern) => ({
    errors: false,
    took: 1,
    items: lines(params.body)
      .filter((line) => 'index' in line || 'delete' in line)
      .map((line) => ('index' in line ? { index: { status: 201 } } : { delete: { status: 200 } })),
  });

  /** A relay whose only consumer is search on this test's backend (no worker runs here). */
  const searchRelay = () => {
    const consumers = new DomainEventConsumers();
    new SearchIndexConsumer(consumers, backend).onModuleInit();
    return new DomainEventsRelay(
      t.app.get(WakeUps),
      new TenantDatabase(t.dataSource),
      new DomainEventsRepository(),
      consumers,
      { autoStart: false, retryAfterMs: () => 60_000 },
    );
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
  });
  afterAll(async () => t.close());

  beforeEach(() => {
    sent = [];
    aliasTarget = 'alees-products-1';
    mock = new Mock();
    mock.add({ method: 'POST', path: '/_bulk' }, (params) => {
      record(params);
      return bulkAnswer(params);
    });
    mock.add({ method: 'HEAD', path: '/_alias/:name' }, (params) => {
      record(params);
      return aliasTarget
        ? ''
        : new errors.ResponseError({ body: { status: 404 }, statusCode: 404 } as never);
    });
    mock.add({ method: 'GET', path: '/_alias/:name' }, (params) => {
      record(params);
      return aliasTarget ? { [aliasTarget]: { aliases: { 'alees-products': {} } } } : {};
    });
    mock.add({ method: 'PUT', path: '/:index' }, (params) => {
      record(params);
      return { acknowledged: true, index: params.path.slice(1) };
    });
    mock.add({ method: 'PUT', path: '/:index/_settings' }, (params) => {
      record(params);
      return { acknowledged: true };
    });
    mock.add({ method: ['GET', 'POST'], path: '/:index/_refresh' }, (params) => {
      record(params);
      return { _shards: { total: 1, successful: 1, failed: 0 } };
    });
    mock.add({ method: 'POST', path: '/_aliases' }, (params) => {
      record(params);
      return { acknowledged: true };
    });
    mock.add({ method: 'DELETE', path: '/:index' }, (params) => {
      record(params);
      return { acknowledged: true };
    });
    const client = new Client({ node: 'http://localhost:9200', Connection: mock.getConnection() });
    backend = new ElasticsearchSearchBackend(client, new TenantDatabase(t.dataSource), 'alees');
  });

  const createProduct = async (sku: string, name: string) =>
    (
      (await owner.post('/api/v1/products').send({ sku, name, type: 'goods' }).expect(201))
        .body as { id: string }
    ).id;

  it('puts the organization filter inside the query and maps hits, highlights and types', async () => {
    mock.add({ method: 'POST', path: '/:index/_search' }, (params) => {
      record(params);
      return {
        took: 1,
        timed_out: false,
        hits: {
          total: { value: 2, relation: 'eq' },
          hits: [
            {
              _index: 'alees-products-1700000000000',
              _id: 'p1',
              _score: 3.5,
              _source: {
                organizationId: 'o',
                title: 'Wireless Keyboard',
                subtitle: 'KB-1',
                body: '',
              },
              // The backend asks for sentinel tags (U+E000/U+E001), never for markup.
              highlight: { title: ['\uE000Wireless\uE001 \uE000Keyb\uE001oard'] },
            },
            {
              _index: 'alees-contacts-1700000000000',
              _id: 'c1',
              _score: 1.25,
              _source: { organizationId: 'o', title: 'Wireless Ltd', subtitle: null, body: '' },
            },
          ],
        },
      };
    });
    const answer = await backend.search(
      owner.organization.id,
      'wireless keyb',
      ['products', 'contacts'],
      5,
    );
    expect(answer.correctedQuery).toBeNull();
    expect(answer.items).toEqual([
      {
        type: 'products',
        id: 'p1',
        title: 'Wireless Keyboard',
        subtitle: 'KB-1',
        highlight: '<mark>Wireless</mark> <mark>Keyb</mark>oard',
        score: 3.5,
      },
      {
        type: 'contacts',
        id: 'c1',
        title: 'Wireless Ltd',
        subtitle: null,
        highlight: 'Wireless Ltd',
        score: 1.25,
      },
    ]);
    expect(sent[0].path).toBe('/alees-products,alees-contacts/_search');
    const body = sent[0].body as {
      size: number;
      query: { bool: { filter: unknown[]; must: { multi_match: Record<string, unknown> }[] } };
    };
    expect(body.size).toBe(5);
    expect(body.query.bool.filter).toEqual([{ term: { organizationId: owner.organization.id } }]);
    expect(body.query.bool.must[0].multi_match).toMatchObject({
      query: 'wireless keyb',
      type: 'bool_prefix',
      fuzziness: 'AUTO',
    });
    expect((sent[0].body as { highlight: unknown }).highlight).toEqual({
      pre_tags: ['\uE000'],
      post_tags: ['\uE001'],
      fields: { title: { number_of_fragments: 0 } },
    });
  });

  it('sends the query in NFC and escapes stored markup in highlights, adding only <mark>', async () => {
    const stored = `<img src=x onerror=alert(1)> Zeta & "Café"`;
    mock.add({ method: 'POST', path: '/:index/_search' }, (params) => {
      record(params);
      const hit = (id: string, title: string, highlight?: string) => ({
        _index: 'alees-products-1700000000000',
        _id: id,
        _score: 1,
        _source: { organizationId: 'o', title, subtitle: null, body: '' },
        ...(highlight ? { highlight: { title: [highlight] } } : {}),
      });
      return {
        took: 1,
        timed_out: false,
        hits: {
          total: { value: 3, relation: 'eq' },
          hits: [
            hit('p1', stored, `<img src=x onerror=alert(1)> \uE000Zeta\uE001 & "\uE000Café\uE001"`),
            hit('p2', '<b>Bold</b> Cafe'),
            // A document indexed before sentinels were stripped: they never become <mark>.
            hit('p3', '\uE000Fake\uE001 Cafe'),
          ],
        },
      };
    });
    const answer = await backend.search(owner.organization.id, 'CAFE\u0301 zeta', ['products'], 5);
    expect(
      (sent[0].body as { query: { bool: { must: { multi_match: { query: string } }[] } } }).query
        .bool.must[0].multi_match.query,
    ).toBe('CAF\u00c9 zeta');
    expect(answer.items.map((hit) => [hit.title, hit.highlight])).toEqual([
      [
        stored,
        '&lt;img src=x onerror=alert(1)&gt; <mark>Zeta</mark> &amp; &quot;<mark>Café</mark>&quot;',
      ],
      ['<b>Bold</b> Cafe', '&lt;b&gt;Bold&lt;/b&gt; Cafe'],
      ['\uE000Fake\uE001 Cafe', 'Fake Cafe'],
    ]);
  });

  it('indexes NFC text without sentinels, analysed by an accent-folding analyzer (the contract)', async () => {
    await t.dataSource.query('DELETE FROM domain_events');
    // Straight into the table: NFD and private-use text as an older row or a bulk load may hold
    // (with the event a bulk load publishes).
    await t.dataSource.query(
      `WITH p AS (INSERT INTO products (organization_id, sku, name, type, uom_code)
                  VALUES ($1, 'ES-F', $2, 'goods', 'pc') RETURNING id, organization_id)
       INSERT INTO domain_events (organization_id, type, entity_type, entity_id)
       SELECT organization_id, 'product.created', 'product', id FROM p`,
      [owner.organization.id, 'Cafe\u0301 Cre\u0300me \uE000x\uE001'],
    );
    const relay = searchRelay();
    await relay.drain();
    const document = lines(sent.find((s) => s.path === '/_bulk')!.body)[1];
    expect(document).toEqual({
      organizationId: owner.organization.id,
      title: 'Caf\u00e9 Cr\u00e8me x',
      subtitle: 'ES-F',
      body: '',
    });

    aliasTarget = undefined;
    sent = [];
    await backend.prepare();
    const settings = {
      analysis: {
        analyzer: {
          folded: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] },
        },
      },
    };
    const properties = {
      organizationId: { type: 'keyword' },
      title: { type: 'search_as_you_type', analyzer: 'folded' },
      subtitle: { type: 'text', analyzer: 'folded' },
      body: { type: 'text', analyzer: 'folded' },
    };
    const created = sent.filter((s) => s.method === 'PUT');
    expect(created).toHaveLength(2);
    for (const create of created) {
      expect(create.body).toMatchObject({ settings, mappings: { dynamic: 'strict', properties } });
    }

    aliasTarget = 'alees-products-1';
    sent = [];
    await backend.reindex('products');
    const rebuilt = sent.find((s) => s.method === 'PUT' && /^\/alees-products-\d+$/.test(s.path));
    expect(rebuilt!.body).toEqual({
      settings: { ...settings, refresh_interval: '-1' },
      mappings: { dynamic: 'strict', properties },
    });
  });

  it('sends a renamed product to the index with its new name once the outbox relay runs; deletes go too', async () => {
    const id = await createProduct('ES-1', 'Wireless Keyboard');
    const relay = searchRelay();
    await relay.drain();
    sent = [];
    await owner.patch(`/api/v1/products/${id}`).send({ name: 'Ergonomic Keyboard' }).expect(200);
    expect(await relay.drain()).toBeGreaterThan(0);
    const [action, document] = lines(sent[0].body);
    expect(action).toEqual({
      index: { _index: 'alees-products', _id: id, version: 2, version_type: 'external_gte' },
    });
    expect(document).toEqual({
      organizationId: owner.organization.id,
      title: 'Ergonomic Keyboard',
      subtitle: 'ES-1',
      body: '',
    });
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM domain_events',
    );
    expect(n).toBe(0);

    sent = [];
    await owner.delete(`/api/v1/products/${id}`).set('If-Match', '"2"').expect(204);
    await relay.drain();
    expect(lines(sent[0].body)).toEqual([{ delete: { _index: 'alees-products', _id: id } }]);
  });

  it('leaves the events in place, to be retried, when the cluster refuses a batch', async () => {
    await createProduct('ES-2', 'Refused Item');
    mock.clear({ method: 'POST', path: '/_bulk' });
    mock.add(
      { method: 'POST', path: '/_bulk' },
      () =>
        new errors.ResponseError({
          body: { error: 'unavailable', status: 503 },
          statusCode: 503,
        } as never),
    );
    const relay = searchRelay();
    expect(await relay.drain()).toBe(0);
    const rows = await t.dataSource.query<{ attempts: number; last_error: string }[]>(
      'SELECT attempts, last_error FROM domain_events WHERE failed_at IS NULL',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.attempts).toBe(1);
      expect(row.last_error).toMatch(/^consumer search: /);
    }
  });

  it('reindexes into a new index, then moves the alias in one atomic call and drops the old index', async () => {
    await t.dataSource.query('DELETE FROM domain_events');
    await createProduct('ES-3', 'Reindexed Item');
    const [{ n: live }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM products WHERE deleted_at IS NULL',
    );
    const count = await backend.reindex('products');
    expect(count).toBe(live);

    const create = sent.find((s) => s.method === 'PUT' && /^\/alees-products-\d+$/.test(s.path));
    expect(create).toBeDefined();
    const newIndex = create!.path.slice(1);
    expect(create!.body).toMatchObject({
      mappings: { properties: { organizationId: { type: 'keyword' } } },
    });
    const bulk = sent.find((s) => s.path === '/_bulk');
    const docs = lines(bulk!.body).filter((line) => 'index' in line);
    expect(docs).toHaveLength(live);
    expect(docs.every((line) => (line.index as { _index: string })._index === newIndex)).toBe(true);
    const swap = sent.find((s) => s.path === '/_aliases');
    expect(swap!.body).toEqual({
      actions: [
        { remove: { index: 'alees-products-1', alias: 'alees-products' } },
        { add: { index: newIndex, alias: 'alees-products' } },
      ],
    });
    const dropped = sent.find((s) => s.method === 'DELETE');
    expect(dropped!.path).toBe('/alees-products-1');
    // Search never pointed at a missing index: the swap is the last thing before the drop.
    expect(sent.indexOf(swap!)).toBeLessThan(sent.indexOf(dropped!));
  });

  it('creates the first index behind each alias on a fresh cluster', async () => {
    aliasTarget = undefined;
    await backend.prepare();
    const created = sent.filter((s) => s.method === 'PUT').map((s) => s.path);
    expect(created).toEqual([
      expect.stringMatching(/^\/alees-products-\d+$/),
      expect.stringMatching(/^\/alees-contacts-\d+$/),
    ]);
    expect(sent.find((s) => s.method === 'PUT')!.body).toMatchObject({
      aliases: { 'alees-products': {} },
    });
  });
});
