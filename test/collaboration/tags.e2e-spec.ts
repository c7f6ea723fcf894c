import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { addActor, createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Tag {
  id: string;
  name: string;
  color: string | null;
  entityTypes: string[] | null;
  count: number;
  version: number;
}
interface Envelope {
  errors: {
    code: string;
    source?: { pointer?: string; parameter?: string };
    meta?: Record<string, unknown>;
  }[];
}
interface Task<R> {
  state: string;
  result: R;
  error: unknown;
}

const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};
const errorOf = (res: { body: unknown }) => (res.body as Envelope).errors[0];

describe('tags (SPEC-P3 §2, issue 18)', () => {
  let t: TestApp;
  let owner: Actor; // Owner: every tags permission
  let member: Actor; // Member: tags:read, products:manage, no tags:create
  let viewer: Actor; // Viewer: reads only
  let other: Actor; // another tenant's Owner

  const product = async (actor: Actor, tags?: string[]) => {
    const res = await actor.post('/api/v1/products').send({
      sku: `T-${randomUUID().slice(0, 8)}`,
      name: 'Tagged tea',
      type: 'goods',
      ...(tags ? { tags } : {}),
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; tags: string[]; version: number };
  };
  const contact = async (actor: Actor, tags: string[]) => {
    const res = await actor
      .post('/api/v1/contacts')
      .send({ kind: 'company', displayName: `Co ${randomUUID().slice(0, 6)}`, tags });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; tags: string[] };
  };
  const createTag = async (actor: Actor, body: Record<string, unknown>) => {
    const res = await actor.post('/api/v1/tags').send(body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Tag;
  };
  const tagRows = async (orgId = owner.organization.id) =>
    t.dataSource.query<{ id: string; name: string; name_key: string }[]>(
      'SELECT id, name, name_key FROM tags WHERE organization_id = $1 ORDER BY name_key',
      [orgId],
    );
  const taggingsOf = async (targetId: string) =>
    (
      await t.dataSource.query<{ name: string }[]>(
        `SELECT t.name FROM taggings g JOIN tags t ON t.id = g.tag_id
          WHERE g.target_id = $1 ORDER BY t.name_key`,
        [targetId],
      )
    ).map((r) => r.name);

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    other = await createTenant(t);
  });
  afterAll(async () => t.close());

  it('creates (201 + Location, audited), reads with ETag, renames keeping taggings, deletes removing them', async () => {
    const res = await owner
      .post('/api/v1/tags')
      .send({ name: '  Green   Tea ', color: '#1E90FF', entityTypes: ['product'] })
      .expect(201);
    const tag = res.body as Tag;
    expect(tag).toMatchObject({
      name: 'Green Tea',
      color: '#1e90ff',
      entityTypes: ['product'],
      count: 0,
      version: 1,
    });
    expect(res.headers.location).toBe(`/api/v1/tags/${tag.id}`);
    const got = await owner.get(`/api/v1/tags/${tag.id}`).expect(200);
    expect(got.headers.etag).toBe('"1"');

    const tagged = await product(owner, ['green tea']);
    expect(tagged.tags).toEqual(['Green Tea']);
    expect((await owner.get(`/api/v1/tags/${tag.id}`).expect(200)).body.count).toBe(1);

    const renamed = await owner
      .patch(`/api/v1/tags/${tag.id}`)
      .set('If-Match', '"1"')
      .send({ name: 'Sencha' })
      .expect(200);
    expect(renamed.body).toMatchObject({ name: 'Sencha', version: 2, count: 1 });
    expect((await owner.get(`/api/v1/products/${tagged.id}`).expect(200)).body.tags).toEqual([
      'Sencha',
    ]);
    // The rename is a change of the product's tags: audited on it, with its domain event.
    const events = await t.dataSource.query<{ changed_fields: string[] }[]>(
      `SELECT changed_fields FROM domain_events WHERE entity_type = 'product' AND entity_id = $1
        ORDER BY id`,
      [tagged.id],
    );
    expect(events.at(-1)!.changed_fields).toEqual(['tags']);
    await owner
      .patch(`/api/v1/tags/${tag.id}`)
      .set('If-Match', '"1"')
      .send({ name: 'X' })
      .expect(412);

    await owner.delete(`/api/v1/tags/${tag.id}`).expect(204);
    expect(await taggingsOf(tagged.id)).toEqual([]);
    expect((await owner.get(`/api/v1/products/${tagged.id}`).expect(200)).body.tags).toEqual([]);
    const audits = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_type = 'tag' AND entity_id = $1 ORDER BY created_at, id`,
      [tag.id],
    );
    expect(audits.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
  });

  it('names collide ignoring case and Unicode form: Café = CAFE\u0301 = full-width = ZW-spaced', async () => {
    const cafe = await createTag(owner, { name: 'Café' });
    for (const name of ['CAFE\u0301', 'ＣＡＦÉ', 'ca\u200bfé', ' café ', 'CAFÉ']) {
      const res = await owner.post('/api/v1/tags').send({ name });
      expect([name, res.status]).toEqual([name, 409]);
      expect(errorOf(res)).toMatchObject({ code: 'tag_name_taken', source: { pointer: '/name' } });
    }
    // ß folds to ss: "Straße" and "STRASSE" are one tag.
    await createTag(owner, { name: 'Straße' });
    expect((await owner.post('/api/v1/tags').send({ name: 'STRASSE' })).status).toBe(409);
    // A record naming a look-alike gets the existing tag, not a new one.
    const p = await product(owner, ['CAFE\u0301', 'ｃａｆé']);
    expect(p.tags).toEqual(['Café']);
    expect((await tagRows()).filter((r) => r.name_key === 'café').map((r) => r.id)).toEqual([
      cafe.id,
    ]);
    // A rename onto another tag's folded name is refused too.
    const tea = await createTag(owner, { name: 'Tea-coll' });
    const clash = await owner.patch(`/api/v1/tags/${tea.id}`).send({ name: 'cafe\u0301' });
    expect(clash.status).toBe(409);
  });

  it('refuses bad input with 422 and writes nothing', async () => {
    const before = (await tagRows()).length;
    const bad: [Record<string, unknown>, string][] = [
      [{ name: '' }, '/name'],
      [{ name: '   ' }, '/name'],
      [{ name: 'x'.repeat(51) }, '/name'],
      [{ name: 'a,b' }, '/name'],
      [{ name: 'a|b' }, '/name'],
      [{ name: 'a\uff0cb' }, '/name'], // full-width comma (NFKC: ",")
      [{ name: 'ok', color: 'red' }, '/color'],
      [{ name: 'ok', color: '#12345' }, '/color'],
      [{ name: 'ok', entityTypes: ['spaceship'] }, '/entityTypes'],
      [{ name: 'ok', entityTypes: 'product' }, '/entityTypes'],
      [{ name: 'ok', usage: 3 }, '/usage'],
      [{ name: 42 }, '/name'],
    ];
    for (const [body, pointer] of bad) {
      const res = await owner.post('/api/v1/tags').send(body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 422]);
      expect((res.body as Envelope).errors.map((e) => e.source?.pointer)).toContain(pointer);
    }
    // NUL and other control characters: refused before the database (no 500).
    for (const name of ['a\u0000b', 'a\u0007b', 'a\u007fb', 'a\u0085b']) {
      const res = await owner.post('/api/v1/tags').send({ name });
      expect([JSON.stringify(name), res.status]).toEqual([JSON.stringify(name), 422]);
    }
    const target = await product(owner);
    for (const tags of [
      ['a\u0000'],
      ['a,b'],
      [''],
      'tea',
      [1],
      Array.from({ length: 51 }, (_, i) => `t${i}`),
    ]) {
      const res = await owner.put(`/api/v1/taggings/product/${target.id}`).send({ tags });
      expect([JSON.stringify(tags).slice(0, 40), res.status]).toEqual([
        JSON.stringify(tags).slice(0, 40),
        422,
      ]);
    }
    const tooMany = await owner
      .patch(`/api/v1/products/${target.id}`)
      .send({ tags: Array.from({ length: 51 }, (_, i) => `many${i}`) });
    expect(tooMany.status).toBe(422);
    expect(errorOf(tooMany).source?.pointer).toBe('/tags');
    expect((await tagRows()).length).toBe(before);
    expect(await taggingsOf(target.id)).toEqual([]);
    // 50 distinct names are fine, and duplicates by folded key count once.
    const fifty = Array.from({ length: 50 }, (_, i) => `fifty${i}`);
    const ok = await owner
      .put(`/api/v1/taggings/product/${target.id}`)
      .send({ tags: fifty })
      .expect(200);
    expect((ok.body as { tags: string[] }).tags).toHaveLength(50);
    expect(
      (await owner.put(`/api/v1/taggings/product/${target.id}`).send({ tags: ['X', 'x', 'Ｘ'] }))
        .body,
    ).toEqual({ tags: ['X'] });
  });

  it('PUT/GET /taggings: the record’s own permissions; a new name needs tags:create (else 422, nothing written)', async () => {
    const target = await product(owner);
    await createTag(owner, { name: 'Existing' });
    const res = await owner
      .put(`/api/v1/taggings/product/${target.id}`)
      .send({ tags: ['existing', 'Brand New'] })
      .expect(200);
    expect(res.body).toEqual({ tags: ['Brand New', 'Existing'] });
    expect((await viewer.get(`/api/v1/taggings/product/${target.id}`).expect(200)).body).toEqual({
      tags: ['Brand New', 'Existing'],
    });
    const [event] = await t.dataSource.query<{ type: string; changed_fields: string[] }[]>(
      `SELECT type, changed_fields FROM domain_events WHERE entity_type = 'product' AND entity_id = $1
        ORDER BY id DESC LIMIT 1`,
      [target.id],
    );
    expect(event).toEqual({ type: 'product.updated', changed_fields: ['tags'] });

    // Viewer: no products:manage → the record is not changeable by them: 404.
    expect(
      (await viewer.put(`/api/v1/taggings/product/${target.id}`).send({ tags: ['Existing'] }))
        .status,
    ).toBe(404);
    // Member: may change products and use existing tags, but not create one.
    const tagsBefore = (await tagRows()).length;
    const refused = await member
      .put(`/api/v1/taggings/product/${target.id}`)
      .send({ tags: ['Existing', 'Member Invented'] });
    expect(refused.status).toBe(422);
    expect(errorOf(refused)).toMatchObject({ code: 'unknown_tag', source: { pointer: '/tags' } });
    const viaProduct = await member
      .post('/api/v1/products')
      .send({ sku: `M-${randomUUID().slice(0, 6)}`, name: 'M', type: 'goods', tags: ['Nope New'] });
    expect(viaProduct.status).toBe(422);
    expect(errorOf(viaProduct).code).toBe('unknown_tag');
    expect((await tagRows()).length).toBe(tagsBefore);
    expect(await taggingsOf(target.id)).toEqual(['Brand New', 'Existing']);
    await member
      .put(`/api/v1/taggings/product/${target.id}`)
      .send({ tags: ['EXISTING'] })
      .expect(200);
    expect(await taggingsOf(target.id)).toEqual(['Existing']);

    // Unknown type, unknown id, other tenant's record: 404 alike.
    await owner.get(`/api/v1/taggings/spaceship/${target.id}`).expect(404);
    await owner.get(`/api/v1/taggings/product/${randomUUID()}`).expect(404);
    await other.get(`/api/v1/taggings/product/${target.id}`).expect(404);
    await other
      .put(`/api/v1/taggings/product/${target.id}`)
      .send({ tags: ['x'] })
      .expect(404);
    expect((await owner.get('/api/v1/taggings/product/not-a-uuid')).status).toBe(400);
  });

  it('tags:* permissions: 403 without them; another organization’s tag is 404', async () => {
    const tag = await createTag(owner, { name: 'Guarded' });
    expect((await viewer.post('/api/v1/tags').send({ name: 'V' })).status).toBe(403);
    expect((await member.post('/api/v1/tags').send({ name: 'M' })).status).toBe(403);
    expect((await member.patch(`/api/v1/tags/${tag.id}`).send({ name: 'M' })).status).toBe(403);
    expect((await member.delete(`/api/v1/tags/${tag.id}`)).status).toBe(403);
    const target = await createTag(owner, { name: 'Guarded target' });
    expect(
      (await member.post(`/api/v1/tags/${tag.id}/merge`).send({ targetId: target.id })).status,
    ).toBe(403);
    await viewer.get(`/api/v1/tags/${tag.id}`).expect(200);
    expect((await tagRows()).some((r) => r.name === 'M' || r.name === 'V')).toBe(false);

    for (const [method, path, body] of [
      ['get', `/api/v1/tags/${tag.id}`, undefined],
      ['patch', `/api/v1/tags/${tag.id}`, { name: 'Stolen' }],
      ['delete', `/api/v1/tags/${tag.id}`, undefined],
      ['post', `/api/v1/tags/${tag.id}/merge`, { targetId: target.id }],
    ] as const) {
      const res = await other[method](path).send(body);
      expect([method, res.status]).toEqual([method, 404]);
    }
    const theirs = await createTag(other, { name: 'Theirs' });
    const cross = await owner.post(`/api/v1/tags/${tag.id}/merge`).send({ targetId: theirs.id });
    expect(cross.status).toBe(422);
    expect(errorOf(cross).code).toBe('invalid_merge_target');
    expect(
      (await other.get('/api/v1/tags').expect(200)).body.items.map((x: Tag) => x.name),
    ).toEqual(['Theirs']);
    expect((await tagRows()).find((r) => r.id === tag.id)?.name).toBe('Guarded');
  });

  it('entityTypes: a tag restricted to contacts cannot go on a product (422)', async () => {
    await createTag(owner, { name: 'Supplier only', entityTypes: ['contact'] });
    const c = await contact(owner, ['supplier only']);
    expect(c.tags).toEqual(['Supplier only']);
    const p = await product(owner);
    const res = await owner
      .put(`/api/v1/taggings/product/${p.id}`)
      .send({ tags: ['Supplier only'] });
    expect(res.status).toBe(422);
    expect(errorOf(res)).toMatchObject({ code: 'tag_not_allowed', source: { pointer: '/tags' } });
    expect(await taggingsOf(p.id)).toEqual([]);
  });

  it('merges: taggings move (deduplicated), the source goes, one transaction, audited', async () => {
    const a = await createTag(owner, { name: 'Merge A' });
    const b = await createTag(owner, { name: 'Merge B' });
    const both = await product(owner, ['Merge A', 'Merge B']);
    const onlyA = await product(owner, ['Merge A']);
    const res = await owner
      .post(`/api/v1/tags/${a.id}/merge`)
      .set('If-Match', '"1"')
      .send({ targetId: b.id })
      .expect(200);
    expect(res.body).toMatchObject({ id: b.id, name: 'Merge B', count: 2 });
    expect(await taggingsOf(both.id)).toEqual(['Merge B']);
    expect(await taggingsOf(onlyA.id)).toEqual(['Merge B']);
    await owner.get(`/api/v1/tags/${a.id}`).expect(404);
    const events = await t.dataSource.query<{ entity_id: string; changed_fields: string[] }[]>(
      `SELECT entity_id, changed_fields FROM domain_events
        WHERE entity_type = 'product' AND entity_id = ANY($1) AND changed_fields = '{tags}'`,
      [[both.id, onlyA.id]],
    );
    expect(events.map((e) => e.entity_id).sort()).toEqual([both.id, onlyA.id].sort());
    expect((await owner.post(`/api/v1/tags/${b.id}/merge`).send({ targetId: b.id })).status).toBe(
      422,
    );
  });

  it('a merge racing a tagging never loses or orphans it', async () => {
    for (let round = 0; round < 6; round += 1) {
      const source = await createTag(owner, { name: `Race S${round}` });
      const target = await createTag(owner, { name: `Race T${round}` });
      const p = await product(owner);
      const [merged, tagged] = await Promise.all([
        owner.post(`/api/v1/tags/${source.id}/merge`).send({ targetId: target.id }),
        owner.put(`/api/v1/taggings/product/${p.id}`).send({ tags: [`Race S${round}`] }),
      ]);
      expect([merged.status, tagged.status]).toEqual([200, 200]);
      const names = await taggingsOf(p.id);
      // Either the tagging landed first and moved to the target, or it came after the merge and
      // named (so created anew) the source's name.
      expect([[`Race T${round}`], [`Race S${round}`]]).toContainEqual(names);
      const dangling = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM taggings g WHERE NOT EXISTS (SELECT 1 FROM tags WHERE id = g.tag_id)`,
      );
      expect(dangling[0].n).toBe(0);
      await owner.get(`/api/v1/tags/${source.id}`).expect(404);
    }
  });

  it('lists filter with ?tag= (all of) and ?tagAny= (any of), ignoring case and form', async () => {
    const ab = await product(owner, ['flt-a', 'flt-b']);
    const a = await product(owner, ['flt-a']);
    const c = await product(owner, ['flt-c']);
    const ids = async (query: string) =>
      (
        (await owner.get(`/api/v1/products?${query}&size=100`).expect(200)).body.items as {
          id: string;
        }[]
      )
        .map((x) => x.id)
        .sort();
    expect(await ids('tag=flt-a,FLT-B')).toEqual([ab.id]);
    expect(await ids('tag=flt-a')).toEqual([ab.id, a.id].sort());
    expect(await ids('tagAny=flt-b,flt-c')).toEqual([ab.id, c.id].sort());
    expect(await ids('tag=flt-a&tagAny=flt-c')).toEqual([]);
    expect(await ids('tag=flt-a,nonexistent')).toEqual([]);
    const totals = (await owner.get('/api/v1/products?tag=flt-a').expect(200)).body.total;
    expect(totals).toBe(2);
    // A tags-only change elsewhere (PUT /taggings) keeps the cached total exact.
    await owner
      .put(`/api/v1/taggings/product/${c.id}`)
      .send({ tags: ['flt-a'] })
      .expect(200);
    expect((await owner.get('/api/v1/products?tag=flt-a').expect(200)).body.total).toBe(3);

    const ca = await contact(owner, ['cflt-a', 'cflt-b']);
    const cb = await contact(owner, ['cflt-b']);
    const contactIds = async (query: string) =>
      ((await owner.get(`/api/v1/contacts?${query}`).expect(200)).body.items as { id: string }[])
        .map((x) => x.id)
        .sort();
    expect(await contactIds('tag=cflt-a,cflt-b')).toEqual([ca.id]);
    expect(await contactIds('tagAny=CFLT-A,cflt-b')).toEqual([ca.id, cb.id].sort());

    for (const query of ['tag=', 'tag=a,,b', `tag=${'x'.repeat(51)}`, 'tag=a&tag=b']) {
      const res = await owner.get(`/api/v1/products?${query}`);
      expect([query, res.status]).toEqual([query, 422]);
    }
    const many = Array.from({ length: 51 }, (_, i) => `n${i}`).join(',');
    expect((await owner.get(`/api/v1/products?tagAny=${many}`)).status).toBe(422);
  });

  it('autocompletes with usage counts (per entity type when asked)', async () => {
    await product(owner, ['Oolong Tea', 'Darjeeling']);
    await product(owner, ['Oolong Tea']);
    await contact(owner, ['Oolong Tea']);
    const search = async (query: string) =>
      (await owner.get(`/api/v1/tags?${query}`).expect(200)).body.items as Tag[];
    const byName = (items: Tag[]) => Object.fromEntries(items.map((x) => [x.name, x.count]));
    expect(byName(await search('q=oolo'))).toEqual({ 'Oolong Tea': 3 });
    expect(byName(await search('q=TEA&entityType=product'))).toMatchObject({ 'Oolong Tea': 2 });
    expect(byName(await search('q=dar'))).toEqual({ Darjeeling: 1 });
    expect(await search('q=zzz')).toEqual([]);
    const sorted = await search('q=o&sort=-count');
    expect(sorted[0].name).toBe('Oolong Tea');
    // LIKE wildcards are literal.
    expect(await search('q=%25')).toEqual([]);
    expect((await owner.get('/api/v1/tags?nope=1')).status).toBe(422);
  });

  it('taggings go with their record', async () => {
    const p = await product(owner, ['Goes away']);
    const etag = (await owner.get(`/api/v1/products/${p.id}`).expect(200)).headers.etag;
    await owner.delete(`/api/v1/products/${p.id}`).set('If-Match', etag).expect(204);
    expect(await taggingsOf(p.id)).toEqual([]);
    const c = await contact(owner, ['Goes away']);
    const cEtag = (await owner.get(`/api/v1/contacts/${c.id}`).expect(200)).headers.etag;
    await owner.delete(`/api/v1/contacts/${c.id}`).set('If-Match', cEtag).expect(204);
    expect(await taggingsOf(c.id)).toEqual([]);
  });

  describe('import and export', () => {
    beforeAll(async () => t.startWorker());

    const finish = async <R>(actor: Actor, taskId: string): Promise<R> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const task = (await actor.get(`/api/v1/tasks/${taskId}`).expect(200)).body as Task<R>;
        if (task.state === 'completed') return task.result;
        if (task.state === 'failed') throw new Error(`task failed: ${JSON.stringify(task.error)}`);
        if (Date.now() > deadline) throw new Error('task did not finish');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const runImport = async (actor: Actor, csv: string | Buffer, onConflict = 'update') => {
      const res = await actor
        .post(`/api/v1/imports?resource=products&mode=commit&onConflict=${onConflict}`)
        .attach('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv), {
          filename: 'p.csv',
          contentType: 'text/csv',
        })
        .expect(202);
      return finish<{
        inserted: number;
        updated: number;
        skipped: number;
        invalid: number;
        errors: { column: string; message: string }[];
      }>(actor, (res.body as { taskId: string }).taskId);
    };
    const HEADER = 'sku,name,type,tags';

    it('round-trips products with tags through export and import; a tags-only change updates', async () => {
      const first = await runImport(
        owner,
        `${HEADER}\nIMPT-1,One,goods,imp-x|IMP-Y\nIMPT-2,Two,goods,\nIMPT-3,Three,goods,imp-y\n`,
      );
      expect(first).toMatchObject({ inserted: 3, updated: 0, invalid: 0 });
      const one = (await owner.get('/api/v1/products?q=IMPT-1').expect(200)).body.items[0] as {
        id: string;
        tags: string[];
      };
      expect(one.tags).toEqual(['imp-x', 'IMP-Y']);
      const total = (await owner.get('/api/v1/products?tag=imp-y').expect(200)).body as {
        total: number;
      };
      expect(total.total).toBe(2);

      const snapshot = async () =>
        t.dataSource.query<{ sku: string; version: number; tags: string[] }[]>(
          `SELECT p.sku::text, p.version, array(SELECT t.name FROM taggings g JOIN tags t ON t.id = g.tag_id
                   WHERE g.target_id = p.id ORDER BY t.name) AS tags
             FROM products p WHERE p.organization_id = $1 AND p.sku::text LIKE 'IMPT-%' ORDER BY p.sku`,
          [owner.organization.id],
        );
      const before = await snapshot();
      const started = await owner
        .post('/api/v1/exports')
        .send({ resource: 'products', format: 'csv', filters: { tagAny: 'imp-x,imp-y' } })
        .expect(202);
      const exported = await finish<{ rows: number; fileId: string }>(
        owner,
        (started.body as { taskId: string }).taskId,
      );
      expect(exported.rows).toBe(2);
      const file = await owner
        .get(`/api/v1/files/${exported.fileId}/content`)
        .buffer(true)
        .parse(binary);
      expect((file.body as Buffer).toString('utf8')).toContain('imp-x|IMP-Y');
      const back = await runImport(owner, file.body as Buffer);
      expect(back).toMatchObject({ inserted: 0, updated: 0, skipped: 2, invalid: 0 });
      expect(await snapshot()).toEqual(before);

      const changed = await runImport(owner, `${HEADER}\nIMPT-1,One,goods,imp-x\n`);
      expect(changed).toMatchObject({ updated: 1, skipped: 0 });
      expect(await taggingsOf(one.id)).toEqual(['imp-x']);
      const after = await snapshot();
      expect(after[0]).toMatchObject({ sku: 'IMPT-1', version: before[0].version + 1 });
    });

    it('an import by a member without tags:create reports rows naming a new tag', async () => {
      await owner
        .post('/api/v1/roles')
        .send({ name: 'Importer', permissions: ['products:manage', 'files:manage', 'tags:read'] })
        .expect(201);
      const importer = await addActor(t, owner.organization, ['Importer']);
      const result = await runImport(
        importer,
        `${HEADER}\nIMPM-1,Ok,goods,imp-x\nIMPM-2,New,goods,member-made\n`,
        'skip',
      );
      expect(result).toMatchObject({ inserted: 1, invalid: 1 });
      expect(result.errors[0]).toMatchObject({ column: 'tags' });
      expect((await tagRows()).some((r) => r.name === 'member-made')).toBe(false);
    });
  });
});
