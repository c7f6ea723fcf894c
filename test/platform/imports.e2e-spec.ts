import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Task<R> {
  state: string;
  result: R;
  error: string | null;
}
interface ImportResult {
  rows: number;
  valid: number;
  invalid: number;
  inserted: number;
  updated: number;
  skipped: number;
  errorCount: number;
  errors: { line: number; column: string; message: string }[];
  errorFileId: string | null;
}

const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

const HEADER =
  'sku,name,description,type,status,price,currencyCode,uomCode,categoryId,tags,attributes';
/** 1,000 product rows, 37 of them bad in mixed ways; returns the CSV and the bad lines. */
function productCsv(prefix: string): { csv: string; bad: Map<number, string> } {
  const bad = new Map<number, string>();
  const lines = [HEADER];
  for (let i = 0; i < 1_000; i += 1) {
    const line = i + 2; // the header is line 1
    let sku = `${prefix}-${String(i).padStart(4, '0')}`;
    let name = `Product ${i}, "quoted"`;
    let type = 'goods';
    let price = (i % 50) + '.25';
    let currency = 'EUR';
    let uom = 'pc';
    let attributes = '';
    const kind = i % 27 === 5 ? Math.floor(i / 27) % 9 : -1; // 37 rows: i = 5, 32, ..., 977
    if (kind >= 0) {
      const column = [
        'type',
        'name',
        'price',
        'currencyCode',
        'currencyCode',
        'uomCode',
        'sku',
        'sku',
        'attributes',
      ][kind];
      bad.set(line, column);
      if (kind === 0) type = 'gadget';
      if (kind === 1) name = '';
      if (kind === 2) price = '1.23456';
      if (kind === 3) currency = '';
      if (kind === 4) currency = 'ZZZ';
      if (kind === 5) uom = 'furlong';
      if (kind === 6) sku = `${prefix}-0000`; // duplicate of line 2
      if (kind === 7) sku = 'bad sku!';
      if (kind === 8) attributes = '{not json';
    }
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    lines.push(
      [sku, name, 'Imported', type, 'active', price, currency, uom, '', 'imported|bulk', attributes]
        .map(quote)
        .join(','),
    );
  }
  return { csv: `${lines.join('\n')}\n`, bad };
}

describe('bulk import and export', () => {
  let t: TestApp;
  let owner: Actor;
  let viewer: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    await t.startWorker();
    owner = await createTenant(t);
    viewer = await addActor(t, owner.organization, ['Viewer']);
  });
  afterAll(async () => t.close());

  const finish = async <R>(taskId: string): Promise<R> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const task = (await owner.get(`/api/v1/tasks/${taskId}`).expect(200)).body as Task<R>;
      if (task.state === 'completed') return task.result;
      if (task.state === 'failed') throw new Error(`task failed: ${task.error}`);
      if (Date.now() > deadline) throw new Error('task did not finish');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const runImport = async (
    data: Buffer | string,
    options: {
      resource?: string;
      mode: string;
      onConflict?: string;
      filename?: string;
      type?: string;
    },
  ) => {
    const query = `resource=${options.resource ?? 'products'}&mode=${options.mode}&onConflict=${options.onConflict ?? 'fail'}`;
    const res = await owner
      .post(`/api/v1/imports?${query}`)
      .attach('file', Buffer.isBuffer(data) ? data : Buffer.from(data), {
        filename: options.filename ?? 'products.csv',
        contentType: options.type ?? 'text/csv',
      });
    expect(res.status).toBe(202);
    return finish<ImportResult>((res.body as { taskId: string }).taskId);
  };
  const productCount = async () =>
    (
      await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM products WHERE organization_id = $1',
        [owner.organization.id],
      )
    )[0].n;

  it('1,000 rows with 37 bad: dry-run reports exactly those, commit loads 963, a skip re-run adds 0', async () => {
    const { csv, bad } = productCsv('IMP');
    const dry = await runImport(csv, { mode: 'dry-run' });
    expect(dry).toMatchObject({
      rows: 1_000,
      valid: 963,
      invalid: 37,
      inserted: 963,
      updated: 0,
      skipped: 0,
    });
    const reported = new Map<number, string[]>();
    const report = await owner
      .get(`/api/v1/files/${dry.errorFileId}/content`)
      .buffer(true)
      .parse(binary);
    const errorLines = (report.body as Buffer).toString('utf8').trim().split('\n').slice(1);
    expect(errorLines).toHaveLength(dry.errorCount);
    for (const line of errorLines) {
      const [number, column] = line.split(',');
      reported.set(Number(number), [...(reported.get(Number(number)) ?? []), column]);
    }
    expect([...reported.keys()].sort((a, b) => a - b)).toEqual(
      [...bad.keys()].sort((a, b) => a - b),
    );
    for (const [line, column] of bad) expect(reported.get(line)).toContain(column);
    expect(await productCount()).toBe(0); // dry-run wrote nothing

    const commit = await runImport(csv, { mode: 'commit' });
    expect(commit).toMatchObject({
      rows: 1_000,
      valid: 963,
      invalid: 37,
      inserted: 963,
      updated: 0,
      skipped: 0,
    });
    expect(await productCount()).toBe(963);
    const sample = await owner.get('/api/v1/products?q=IMP-0001').expect(200);
    expect((sample.body as { items: unknown[] }).items[0]).toMatchObject({
      sku: 'IMP-0001',
      name: 'Product 1, "quoted"',
      price: '1.2500',
      currencyCode: 'EUR',
      status: 'active',
      tags: ['imported', 'bulk'],
    });

    const again = await runImport(csv, { mode: 'commit', onConflict: 'skip' });
    expect(again).toMatchObject({ inserted: 0, updated: 0, skipped: 963, invalid: 37 });
    const failing = await runImport(csv, { mode: 'dry-run', onConflict: 'fail' });
    expect(failing.invalid).toBe(1_000); // 963 already exist + the 37
    expect(await productCount()).toBe(963);

    const [audit] = await t.dataSource.query<{ changes: Record<string, number> }[]>(
      `SELECT changes FROM audit_logs WHERE organization_id = $1 AND action = 'import' ORDER BY seq LIMIT 1`,
      [owner.organization.id],
    );
    expect(audit.changes).toMatchObject({ rows: 1_000, inserted: 963, invalid: 37 });
  });

  it('a filtered export (CSV and XLSX) round-trips through import with no differences', async () => {
    const snapshot = async () =>
      createHash('sha256')
        .update(
          JSON.stringify(
            await t.dataSource.query(
              `SELECT sku::text, name, description, type, status, price::text, currency_code, uom_code, category_id,
                      tags, attributes, version FROM products WHERE organization_id = $1 ORDER BY sku`,
              [owner.organization.id],
            ),
          ),
        )
        .digest('hex');
    await owner
      .patch(
        `/api/v1/products/${(await owner.get('/api/v1/products?q=IMP-0002').expect(200)).body.items[0].id}`,
      )
      .send({ attributes: { color: 'red', size: 3 } })
      .expect(200);
    const before = await snapshot();

    for (const format of ['csv', 'xlsx'] as const) {
      const started = await owner
        .post('/api/v1/exports')
        .send({ resource: 'products', format, filters: { tag: 'imported' } })
        .expect(202);
      const exported = await finish<{ rows: number; fileId: string }>(
        (started.body as { taskId: string }).taskId,
      );
      expect(exported.rows).toBe(963);
      const file = await owner
        .get(`/api/v1/files/${exported.fileId}/content`)
        .buffer(true)
        .parse(binary);
      expect(file.status).toBe(200);
      const back = await runImport(file.body as Buffer, {
        mode: 'commit',
        onConflict: 'update',
        filename: `export.${format}`,
        type:
          format === 'csv'
            ? 'text/csv'
            : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      });
      expect(back).toMatchObject({ rows: 963, invalid: 0, inserted: 0, updated: 0, skipped: 963 });
      expect(await snapshot()).toBe(before);
    }

    const filtered = await owner
      .post('/api/v1/exports')
      .send({ resource: 'products', filters: { colour: 'red' } });
    expect(filtered.status).toBe(422);
    expect(
      (
        await viewer
          .post('/api/v1/imports?resource=products')
          .attach('file', Buffer.from(HEADER), 'p.csv')
      ).status,
    ).toBe(403);
  });

  it('imports contacts keyed by primary email: insert, then update with onConflict=update', async () => {
    const csv = [
      'kind,displayName,firstName,lastName,companyName,taxNumber,email,phone,tags,categoryId,notes',
      'person,Ada Lovelace,Ada,Lovelace,,,ada@example.test,+44 20 7946 0958,vip,,',
      'company,Babbage Gears,,,Babbage Gears Ltd,GB123,orders@gears.test,,supplier|eu,,Pays on time',
      'robot,Marvin,,,,,marvin@example.test,,,,',
      'person,No Email,,,,,,,,,',
    ].join('\n');
    const first = await runImport(csv, {
      resource: 'contacts',
      mode: 'commit',
      onConflict: 'update',
      filename: 'c.csv',
    });
    expect(first).toMatchObject({ rows: 4, inserted: 3, invalid: 1 });
    expect(first.errors).toEqual([
      { line: 4, column: 'kind', message: expect.any(String) as string },
    ]);
    const ada = (await owner.get('/api/v1/contacts?q=ada@example.test').expect(200)).body as {
      items: { id: string; emails: { email: string; isPrimary: boolean }[]; phones: unknown[] }[];
    };
    expect(ada.items[0].emails).toEqual([
      { email: 'ada@example.test', label: '', isPrimary: true },
    ]);
    expect(ada.items[0].phones).toHaveLength(1);

    const second = await runImport(csv.replace('Ada Lovelace', 'Augusta Ada King'), {
      resource: 'contacts',
      mode: 'commit',
      onConflict: 'update',
      filename: 'c.csv',
    });
    expect(second).toMatchObject({ inserted: 1, updated: 1, skipped: 1 }); // "No Email" has no key: inserted again
    const renamed = await owner.get(`/api/v1/contacts/${ada.items[0].id}`).expect(200);
    expect(renamed.body).toMatchObject({ displayName: 'Augusta Ada King', version: 2 });
  });

  it('normalises names, SKUs and tags like the API (NFC, zero-width, spaces): look-alike SKUs are duplicates', async () => {
    const csv = [
      HEADER,
      '" NRM-1 ",Cafe\u0301  Cre\u0300me,Imported,goods,active,,,pc,,organic  tea |x,',
      'NRM-2,Tea\u200b Time,Imported,goods,active,,,pc,,tea,',
      'nrm-1\u200b,Duplicate,Imported,goods,active,,,pc,,tea,',
    ].join('\n');
    const result = await runImport(csv, { mode: 'commit', filename: 'n.csv' });
    expect(result).toMatchObject({ rows: 3, inserted: 2, invalid: 1 });
    expect(result.errors).toEqual([
      { line: 4, column: 'sku', message: expect.any(String) as string },
    ]);
    const rows = await t.dataSource.query<{ sku: string; name: string; tags: string[] }[]>(
      `SELECT sku::text AS sku, name, tags FROM products
        WHERE organization_id = $1 AND sku IN ('NRM-1', 'NRM-2') ORDER BY sku`,
      [owner.organization.id],
    );
    expect(rows).toEqual([
      { sku: 'NRM-1', name: 'Caf\u00e9 Cr\u00e8me', tags: ['organic tea', 'x'] },
      { sku: 'NRM-2', name: 'Tea Time', tags: ['tea'] },
    ]);
  });

  it('refuses a file that is neither CSV nor XLSX', async () => {
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj');
    const res = await owner
      .post('/api/v1/imports?resource=products')
      .attach('file', pdf, { filename: 'x.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ errors: [{ code: 'unsupported_import_file' }] });
  });
});
