import { FoldSearchText1764001400000 } from '../../src/database/migrations/1764001400000-FoldSearchText';
import { CreateDocuments1764004000000 } from '../../src/database/migrations/1764004000000-CreateDocuments';
import { Actor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Hit {
  type: string;
  id: string;
  title: string;
  highlight: string;
}
interface Result {
  items: Hit[];
  correctedQuery: string | null;
}
interface Page {
  items: { id: string; name?: string; displayName?: string }[];
}

/** `café` in its two Unicode forms, and the ASCII query, as they travel in a URL. */
const QUERIES = {
  ascii: 'cafe',
  nfc: encodeURIComponent('caf\u00e9'),
  nfd: encodeURIComponent('cafe\u0301'),
  upperNfd: encodeURIComponent('CAFE\u0301'),
};

/**
 * Issue 14, findings 4 and 5 on the PostgreSQL backend: search folds accents and Unicode forms on
 * both sides (products, contacts, the products and contacts lists, typo correction), and
 * highlights are the stored text HTML-escaped with only `<mark>` added. The Elasticsearch side is
 * in search-elasticsearch.e2e-spec.ts.
 */
describe('search folds accents and Unicode forms; highlights are escaped', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;
  const ids: Record<string, string> = {};

  const search = async (actor: Actor, query: string) =>
    (await actor.get(`/api/v1/search?${query}`).expect(200)).body as Result;
  const titles = (result: Result) => result.items.map((hit) => hit.title).sort();
  const product = async (sku: string, name: string) => {
    const res = await owner.post('/api/v1/products').send({ sku, name, type: 'goods' }).expect(201);
    ids[name] = (res.body as { id: string }).id;
  };
  const contact = async (displayName: string) => {
    const res = await owner
      .post('/api/v1/contacts')
      .send({ kind: 'company', displayName, companyName: displayName })
      .expect(201);
    ids[displayName] = (res.body as { id: string }).id;
  };
  /** Runs a migration step on the test database, as `npm run migration:run` would. */
  // Later migrations whose objects use search_fold (documents' generated search vector) are
  // reverted before it and re-applied after it, as a real rollback to that point would.
  const migrate = async (step: 'up' | 'down') => {
    const runner = t.dataSource.createQueryRunner();
    const dependents = [new CreateDocuments1764004000000()];
    try {
      if (step === 'down') for (const m of dependents) await m.down(runner);
      await new FoldSearchText1764001400000()[step](runner);
      if (step === 'up') for (const m of dependents) await m.up(runner);
    } finally {
      await runner.release();
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    other = await createTenant(t);
    await product('CC-1', 'Café Crème Special');
    await product('CC-2', 'Cafe Creme Basic');
    await product('TEA-1', 'Green Tea');
    await contact('Café Crème SARL');
    await contact('Cafe Creme GmbH');
    await other
      .post('/api/v1/products')
      .send({ sku: 'CC-1', name: 'Café Crème Special', type: 'goods' })
      .expect(201);
  }, 60_000);
  afterAll(async () => t.close());

  it('rebuilds the vectors and typo-correction words of existing rows (migration up and down)', async () => {
    const names = async (q: string) =>
      ((await owner.get(`/api/v1/products?q=${q}`).expect(200)).body as Page).items
        .map((p) => p.name)
        .sort();
    await migrate('down');
    try {
      // Before folding: each spelling finds only itself (the reported fault).
      expect(await names(QUERIES.ascii)).toEqual(['Cafe Creme Basic']);
      expect(await names(QUERIES.nfc)).toEqual(['Café Crème Special']);
    } finally {
      await migrate('up');
    }
    expect(titles(await search(owner, 'q=cafe&types=products'))).toEqual([
      'Cafe Creme Basic',
      'Café Crème Special',
    ]);
    const words = await t.dataSource.query<{ word: string }[]>(
      `SELECT word FROM search_terms WHERE organization_id = $1 ORDER BY word`,
      [owner.organization.id],
    );
    expect(words.map((w) => w.word)).toEqual([
      'basic',
      'cafe',
      'creme',
      'gmbh',
      'green',
      'sarl',
      'special',
      'tea',
    ]);
  });

  it('finds both spellings for "cafe", "café", NFD "café" and "CAFÉ", products and contacts', async () => {
    for (const q of Object.values(QUERIES)) {
      const result = await search(owner, `q=${q}`);
      expect(titles(result)).toEqual([
        'Cafe Creme Basic',
        'Cafe Creme GmbH',
        'Café Crème SARL',
        'Café Crème Special',
      ]);
      expect(result.correctedQuery).toBeNull();
      expect(result.items.find((hit) => hit.id === ids['Café Crème Special'])!.highlight).toBe(
        '<mark>Café</mark> Crème Special',
      );
      expect(result.items.find((hit) => hit.id === ids['Cafe Creme GmbH'])!.highlight).toBe(
        '<mark>Cafe</mark> Creme GmbH',
      );
    }
    // Accents on the second word too, and a phrase.
    const phrase = await search(owner, `q=${encodeURIComponent('"cafe creme" spéc')}`);
    expect(titles(phrase)).toEqual(['Café Crème Special']);
    expect(phrase.items[0].highlight).toBe(
      '<mark>Café</mark> <mark>Crème</mark> <mark>Special</mark>',
    );
  });

  it('folds the ?q= of the products and contacts lists the same way', async () => {
    for (const q of Object.values(QUERIES)) {
      const products = (await owner.get(`/api/v1/products?q=${q}`).expect(200)).body as Page;
      expect(products.items.map((p) => p.name).sort()).toEqual([
        'Cafe Creme Basic',
        'Café Crème Special',
      ]);
      const contacts = (await owner.get(`/api/v1/contacts?q=${q}`).expect(200)).body as Page;
      expect(contacts.items.map((c) => c.displayName).sort()).toEqual([
        'Cafe Creme GmbH',
        'Café Crème SARL',
      ]);
    }
    // A substring inside a word (contacts compare substrings) and LIKE wildcards stay literal,
    // also when they come from folding (fullwidth ％ folds to %).
    const inner = (await owner.get(`/api/v1/contacts?q=${encodeURIComponent('fé cr')}`).expect(200))
      .body as Page;
    expect(inner.items).toHaveLength(2);
    for (const wildcard of ['%', '\uFF05', '_']) {
      const res = await owner.get(`/api/v1/contacts?q=${encodeURIComponent(wildcard)}`).expect(200);
      expect((res.body as Page).items).toEqual([]);
    }
    // Another organization's copy is never among them.
    const theirs = (await other.get(`/api/v1/products?q=${QUERIES.nfd}`).expect(200)).body as Page;
    expect(theirs.items).toHaveLength(1);
    expect(theirs.items[0].id).not.toBe(ids['Café Crème Special']);
  });

  it('folds the name filter (?q=) of the other lists too: categories and warehouses', async () => {
    const names = async (url: string, field = 'name') =>
      ((await owner.get(url).expect(200)).body as { items: Record<string, string>[] }).items
        .map((item) => item[field])
        .sort();
    await owner
      .post('/api/v1/categories')
      .send({ type: 'product', name: 'Café Crème' })
      .expect(201);
    await owner.post('/api/v1/categories').send({ type: 'product', name: 'Cafe Noir' }).expect(201);
    await owner.post('/api/v1/warehouses').send({ code: 'W1', name: 'Entrepôt Nord' }).expect(201);
    await owner.post('/api/v1/warehouses').send({ code: 'W2', name: 'Entrepot Sud' }).expect(201);
    for (const q of Object.values(QUERIES)) {
      expect(await names(`/api/v1/categories?q=${q}`)).toEqual(['Cafe Noir', 'Café Crème']);
    }
    for (const q of [
      'entrepot',
      encodeURIComponent('ENTREPÔT'),
      encodeURIComponent('entrepo\u0302t'),
    ]) {
      expect(await names(`/api/v1/warehouses?q=${q}`)).toEqual(['Entrepot Sud', 'Entrepôt Nord']);
    }
    // Codes still match as before (plain ILIKE), and an unrelated word finds nothing.
    expect(await names('/api/v1/warehouses?q=w2')).toEqual(['Entrepot Sud']);
    expect(await names('/api/v1/categories?q=the')).toEqual([]);
  });

  it('corrects typos against folded words, whatever the accents typed', async () => {
    const result = await search(owner, `q=${encodeURIComponent('crèmz')}&types=products`);
    expect(result.correctedQuery).toBe('creme');
    expect(titles(result)).toEqual(['Cafe Creme Basic', 'Café Crème Special']);
  });

  it('escapes stored markup in highlights and adds only <mark>, for products and contacts', async () => {
    const name = '<img src=x onerror=alert(1)> Zeta';
    await product('XSS-1', name);
    await contact(`<script>alert("x")</script> & Zeta's Co`);
    const result = await search(owner, 'q=Zeta');
    const byTitle = new Map(result.items.map((hit) => [hit.title, hit]));
    // The title stays the stored text (JSON, not markup); the highlight is HTML.
    expect(byTitle.get(name)!.highlight).toBe(
      '&lt;img src=x onerror=alert(1)&gt; <mark>Zeta</mark>',
    );
    expect(byTitle.get(`<script>alert("x")</script> & Zeta's Co`)!.highlight).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>Zeta</mark>&#39;s Co',
    );
    // Stored text cannot pass for a marker: the private-use sentinels are removed before marking.
    await t.dataSource.query(
      `INSERT INTO products (organization_id, sku, name, type, uom_code)
       VALUES ($1, 'XSS-2', E'\\uE000Fake\\uE001 Omega', 'goods', 'pc')`,
      [owner.organization.id],
    );
    const omega = await search(owner, 'q=omega');
    expect(omega.items.map((hit) => hit.highlight)).toEqual(['Fake <mark>Omega</mark>']);
    // A highlight never holds a tag other than <mark> and </mark>.
    for (const hit of [...result.items, ...omega.items]) {
      expect(hit.highlight.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    }
  });

  it('folds in every searchable table’s generated vector, and the query stays on the GIN index', async () => {
    const columns = await t.dataSource.query<{ table_name: string; expression: string }[]>(
      `SELECT table_name, generation_expression AS expression FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_name = 'search_vector' ORDER BY table_name`,
    );
    expect(columns.map((c) => c.table_name)).toEqual(['contacts', 'documents', 'products']);
    for (const { expression } of columns) {
      const vectors = expression.match(/to_tsvector\(/g)!.length;
      const folded = expression.match(/to_tsvector\('simple'::regconfig, search_fold\(/g)?.length;
      expect(folded).toBe(vectors);
    }
    for (const table of ['products', 'contacts']) {
      const plan = await t.dataSource.transaction(async (manager) => {
        // As inside search_candidates(), which runs with enable_seqscan off. (At this size the
        // organization's b-tree would win; bench/README.md has the plan at 1M rows.)
        await manager.query(`SET LOCAL enable_seqscan = off`);
        const rows = await manager.query<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN SELECT id FROM ${table} WHERE search_vector @@ search_prefix_query($1) LIMIT 2000`,
          ['cafe\u0301 cr\u00e8me'],
        );
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      expect(plan).toContain(`Bitmap Index Scan on ix_${table}_search`);
      // The query is folded once, at plan time (IMMUTABLE), to a constant the index can use.
      expect(plan).toContain(`Index Cond: (search_vector @@ '''cafe'':* & ''creme'':*'::tsquery)`);
    }
  });
});
