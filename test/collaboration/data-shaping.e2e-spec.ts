import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { Actor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Issue 18's acceptance end to end, through HTTP and the worker: custom fields and tags arrive by
 * CSV import, leave by export and come back unchanged; the product is then found through
 * `?filter=` (custom field + tag), `?tag=` and a saved view; another organization sees none of
 * the definitions, tags, statuses or views and cannot use the view.
 */
interface Task<R> {
  state: string;
  result: R;
  error: unknown;
}
interface Page<T> {
  items: T[];
  total: number;
}
interface Product {
  id: string;
  sku: string;
  tags: string[];
  customFields: Record<string, unknown>;
}

const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('data shaping: import → export → filter → saved view (issue 18 acceptance)', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;
  const run = randomUUID().slice(0, 6);

  beforeAll(async () => {
    t = await createTestApp();
    await t.startWorker();
    owner = await createTenant(t);
    other = await createTenant(t);
  }, 60_000);
  afterAll(() => t?.close());

  const finish = async <R>(taskId: string): Promise<R> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const task = (await owner.get(`/api/v1/tasks/${taskId}`).expect(200)).body as Task<R>;
      if (task.state === 'completed') return task.result;
      if (task.state === 'failed') throw new Error(`task failed: ${JSON.stringify(task.error)}`);
      if (Date.now() > deadline) throw new Error('task did not finish');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const importCsv = async (csv: string) => {
    const res = await owner
      .post('/api/v1/imports?resource=products&mode=commit&onConflict=update')
      .attach('file', Buffer.from(csv), { filename: 'teas.csv', contentType: 'text/csv' });
    expect(res.status).toBe(202);
    return finish<{
      rows: number;
      inserted: number;
      updated: number;
      skipped: number;
      invalid: number;
    }>((res.body as { taskId: string }).taskId);
  };
  const exportCsv = async (filters: object) => {
    const started = await owner
      .post('/api/v1/exports')
      .send({ resource: 'products', format: 'csv', filters })
      .expect(202);
    const done = await finish<{ rows: number; fileId: string }>(
      (started.body as { taskId: string }).taskId,
    );
    const file = await owner.get(`/api/v1/files/${done.fileId}/content`).buffer(true).parse(binary);
    return { rows: done.rows, csv: (file.body as Buffer).toString('utf8') };
  };
  const skus = async (query: string, actor = owner) => {
    const res = await actor.get(`/api/v1/products?sort=sku&${query}`);
    expect(res.status).toBe(200);
    return (res.body as Page<Product>).items.map((p) => p.sku);
  };
  const filter = (tree: object) => `filter=${encodeURIComponent(JSON.stringify(tree))}`;

  it('round-trips custom fields and tags through import and export, and finds the product three ways', async () => {
    await owner
      .post('/api/v1/custom-fields')
      .send({
        entityType: 'product',
        key: 'origin',
        label: 'Origin',
        type: 'select',
        options: ['Assam', 'Darjeeling'],
      })
      .expect(201);
    await owner
      .post('/api/v1/custom-fields')
      .send({ entityType: 'product', key: 'grade', label: 'Grade', type: 'number', min: 0, max: 9 })
      .expect(201);

    const imported = await importCsv(
      [
        'sku,name,type,uomCode,tags,cf.origin,cf.grade',
        `${run}-1,Assam breakfast,goods,pc,black|breakfast,Assam,3`,
        `${run}-2,Darjeeling first flush,goods,pc,black,Darjeeling,5`,
        `${run}-3,Sencha,goods,pc,green,,`,
      ].join('\n') + '\n',
    );
    expect(imported).toMatchObject({ rows: 3, inserted: 3, invalid: 0 });
    const one = (
      (await owner.get(`/api/v1/products?${filter({ field: 'sku', op: 'eq', value: `${run}-1` })}`))
        .body as Page<Product>
    ).items[0];
    expect(one.tags).toEqual(['black', 'breakfast']);
    expect(one.customFields).toEqual({ origin: 'Assam', grade: 3 });

    // Export (filtered by tag) and import the file back: nothing changes, not even a version.
    const versions = () =>
      t.dataSource.query<{ sku: string; version: number; custom_fields: object }[]>(
        `SELECT sku::text, version, custom_fields FROM products WHERE organization_id = $1 ORDER BY sku`,
        [owner.organization.id],
      );
    const before = await versions();
    const exported = await exportCsv({ tag: 'black' });
    expect(exported.rows).toBe(2);
    const header = exported.csv.split('\n')[0].split(',');
    expect(header).toEqual(expect.arrayContaining(['tags', 'cf.origin', 'cf.grade']));
    expect(exported.csv).toContain('black|breakfast');
    const back = await importCsv(exported.csv);
    expect(back).toMatchObject({ rows: 2, invalid: 0, inserted: 0, updated: 0, skipped: 2 });
    expect(await versions()).toEqual(before);

    // Found through ?filter= (a custom field and a tag), ?tag= (all of) and a saved view.
    const tree = {
      and: [
        { field: 'cf.origin', op: 'eq', value: 'Assam' },
        { field: 'tags', op: 'eq', value: 'breakfast' },
      ],
    };
    expect(await skus(filter(tree))).toEqual([`${run}-1`]);
    expect(await skus(filter({ field: 'cf.grade', op: 'gte', value: 4 }))).toEqual([`${run}-2`]);
    expect(await skus('tag=black,breakfast')).toEqual([`${run}-1`]);
    expect(await skus('tagAny=green,breakfast')).toEqual([`${run}-1`, `${run}-3`]);
    const view = await owner
      .post('/api/v1/saved-filters')
      .send({ resource: 'products', name: 'Breakfast teas', filter: tree, sort: 'sku' });
    expect(view.status).toBe(201);
    const viewId = (view.body as { id: string }).id;
    expect(await skus(`savedFilterId=${viewId}`)).toEqual([`${run}-1`]);

    // Another organization: none of it is visible, the view is not theirs to use.
    const theirs = await other.get(`/api/v1/products?savedFilterId=${viewId}`);
    expect(theirs.status).toBe(404);
    for (const path of ['/api/v1/custom-fields', '/api/v1/tags', '/api/v1/saved-filters']) {
      const res = await other.get(path);
      expect(res.status).toBe(200);
      // Paged lists, and the saved-filter list (the caller's own and shared views, unpaged).
      const body = res.body as Page<unknown> | unknown[];
      expect(Array.isArray(body) ? body.length : body.total).toBe(0);
    }
    await owner
      .post('/api/v1/statuses')
      .send({
        code: `steeping_${run}`,
        name: 'Steeping',
        category: 'in_progress',
        entityType: 'product',
      })
      .expect(201);
    const listed = (await other.get('/api/v1/statuses').expect(200)).body as
      { items: { system: boolean }[] } | { system: boolean }[];
    const statuses = Array.isArray(listed) ? listed : listed.items;
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => !s.system)).toEqual([]);
    // Their catalogue has no `origin` field: the same filter is a 422, not a widened list.
    const unknown = await other.get(
      `/api/v1/products?${filter({ field: 'cf.origin', op: 'eq', value: 'Assam' })}`,
    );
    expect(unknown.status).toBe(422);
    expect((unknown.body as { errors: { code: string }[] }).errors[0].code).toBe('invalid_filter');
  }, 120_000);
});
