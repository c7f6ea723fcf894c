import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { Actor, addActor, createTenant } from '../support/auth';
import { CONTROL_CHARS_RE } from '../../src/core/text';
import { createTestApp, TestApp } from '../support/test-app';

interface Task<R> {
  state: string;
  result: R;
  error: { errors: { code: string; detail: string }[] } | null;
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

// `cf.colour` names no custom field of the organization: a value in it is a row error.
const HEADER =
  'sku,name,description,type,status,price,currencyCode,uomCode,categoryId,tags,cf.colour';
const CONTACT_HEADER =
  'kind,displayName,firstName,lastName,companyName,taxNumber,email,phone,tags,categoryId,notes';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An XLSX workbook (first sheet = the import) built the way a spreadsheet would save it. */
async function workbook(rows: unknown[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('import');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}
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
    let colour = '';
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
        'cf.colour',
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
      if (kind === 8) colour = 'red'; // not a custom field
    }
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    lines.push(
      [sku, name, 'Imported', type, 'active', price, currency, uom, '', 'imported|bulk', colour]
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
      if (task.state === 'failed') throw new Error(`task failed: ${JSON.stringify(task.error)}`);
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
      acceptLanguage?: string;
    },
  ) => {
    const query = `resource=${options.resource ?? 'products'}&mode=${options.mode}&onConflict=${options.onConflict ?? 'fail'}`;
    const res = await owner
      .post(`/api/v1/imports?${query}`)
      .set('Accept-Language', options.acceptLanguage ?? 'en')
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
      tags: ['bulk', 'imported'], // the tag registry's order (folded name)
    });

    const again = await runImport(csv, { mode: 'commit', onConflict: 'skip' });
    expect(again).toMatchObject({ inserted: 0, updated: 0, skipped: 963, invalid: 37 });
    const failing = await runImport(csv, { mode: 'dry-run', onConflict: 'fail' });
    expect(failing.invalid).toBe(1_000); // 963 already exist + the 37
    expect(await productCount()).toBe(963);

    const [audit] = await t.dataSource.query<{ changes: Record<string, number> }[]>(
      `SELECT changes FROM audit_logs WHERE organization_id = $1 AND action = 'import' ORDER BY created_at, id LIMIT 1`,
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
                      array(SELECT t.name FROM taggings g JOIN tags t ON t.id = g.tag_id
                       WHERE g.target_id = products.id ORDER BY t.name_key) AS tags, custom_fields, version
                 FROM products WHERE organization_id = $1 ORDER BY sku`,
              [owner.organization.id],
            ),
          ),
        )
        .digest('hex');
    // Custom fields export as cf.<key> columns and import back unchanged.
    await owner
      .post('/api/v1/custom-fields')
      .send({ entityType: 'product', key: 'color', label: 'Color', type: 'text' })
      .expect(201);
    await owner
      .post('/api/v1/custom-fields')
      .send({ entityType: 'product', key: 'size', label: 'Size', type: 'number' })
      .expect(201);
    await owner
      .patch(
        `/api/v1/products/${(await owner.get('/api/v1/products?q=IMP-0002').expect(200)).body.items[0].id}`,
      )
      .send({ customFields: { color: ' red, "quoted" ', size: 3 } })
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

  const query = <T>(sql: string, params: unknown[] = []) => t.dataSource.query<T[]>(sql, params);
  const productBySku = async (sku: string) =>
    (
      await query<{ description: string; name: string; price: string | null; version: number }>(
        `SELECT description, name, price::text AS price, version FROM products
          WHERE organization_id = $1 AND sku = $2`,
        [owner.organization.id, sku],
      )
    )[0];
  const exportFile = async (resource: string, format: 'csv' | 'xlsx', filters: object) => {
    const started = await owner
      .post('/api/v1/exports')
      .send({ resource, format, filters })
      .expect(202);
    const exported = await finish<{ rows: number; fileId: string }>(
      (started.body as { taskId: string }).taskId,
    );
    const file = await owner
      .get(`/api/v1/files/${exported.fileId}/content`)
      .buffer(true)
      .parse(binary);
    return { rows: exported.rows, body: file.body as Buffer };
  };

  it('an empty or missing description is imported as empty text, in the dry run and the commit', async () => {
    const withEmpty = [HEADER, 'EMPTY-1,Empty description,,goods,active,1.5,EUR,pc,,,'].join('\n');
    const withoutColumn = ['sku,name,type', 'EMPTY-2,No description column,service'].join('\n');
    for (const csv of [withEmpty, withoutColumn]) {
      const dry = await runImport(csv, { mode: 'dry-run' });
      expect(dry).toMatchObject({ rows: 1, valid: 1, invalid: 0, inserted: 1, errorCount: 0 });
      const commit = await runImport(csv, { mode: 'commit' });
      expect(commit).toMatchObject({ rows: 1, valid: 1, invalid: 0, inserted: 1, errorCount: 0 });
    }
    expect(await productBySku('EMPTY-1')).toMatchObject({ description: '', price: '1.5000' });
    expect(await productBySku('EMPTY-2')).toMatchObject({ description: '', price: null });

    // Contacts: empty and missing notes are '' too; an empty nullable cell is NULL.
    const contacts = [CONTACT_HEADER, 'person,Empty Notes,,,,,empty.notes@example.test,,,,'].join(
      '\n',
    );
    const noNotes = ['kind,displayName,email', 'company,No Notes Ltd,no.notes@example.test'].join(
      '\n',
    );
    for (const csv of [contacts, noNotes])
      expect(
        await runImport(csv, { resource: 'contacts', mode: 'commit', filename: 'c.csv' }),
      ).toMatchObject({ rows: 1, inserted: 1, invalid: 0 });
    const stored = await query<{ notes: string; first_name: string | null }>(
      `SELECT c.notes, c.first_name FROM contacts c JOIN contact_emails e ON e.contact_id = c.id
        WHERE c.organization_id = $1 AND e.email IN ('empty.notes@example.test', 'no.notes@example.test')`,
      [owner.organization.id],
    );
    expect(stored).toEqual([
      { notes: '', first_name: null },
      { notes: '', first_name: null },
    ]);
  });

  it('products created through the API: export, edit, re-import with onConflict=update (CSV and XLSX)', async () => {
    for (const sku of ['API-1', 'API-2'])
      await owner
        .post('/api/v1/products')
        .send({ sku, name: `Made ${sku}`, type: 'goods', tags: ['apimade'] })
        .expect(201);
    for (const format of ['csv', 'xlsx'] as const) {
      const exported = await exportFile('products', format, { tag: 'apimade' });
      expect(exported.rows).toBe(2);
      let edited: Buffer;
      if (format === 'csv') {
        const text = exported.body.toString('utf8');
        expect(text).toContain('API-1,Made API-1,,goods,draft,,,pc,,apimade,');
        edited = Buffer.from(text.replace('Made API-1', 'Edited in CSV'));
      } else {
        const book = new ExcelJS.Workbook();
        await book.xlsx.load(exported.body as unknown as ExcelJS.Buffer);
        const sheet = book.worksheets[0];
        sheet.eachRow((row) => {
          if (row.getCell(1).value === 'API-1') row.getCell(2).value = 'Edited in XLSX';
        });
        edited = Buffer.from(await book.xlsx.writeBuffer());
      }
      const options = {
        onConflict: 'update',
        filename: `products.${format}`,
        type: format === 'csv' ? 'text/csv' : XLSX,
      };
      const dry = await runImport(edited, { ...options, mode: 'dry-run' });
      const commit = await runImport(edited, { ...options, mode: 'commit' });
      for (const result of [dry, commit])
        expect(result).toMatchObject({ rows: 2, invalid: 0, inserted: 0, updated: 1, skipped: 1 });
      expect(await productBySku('API-1')).toMatchObject({
        name: format === 'csv' ? 'Edited in CSV' : 'Edited in XLSX',
        description: '',
        version: format === 'csv' ? 2 : 3,
      });
      expect(await productBySku('API-2')).toMatchObject({ description: '', version: 1 });
    }
  });

  it('contacts created through the API: export, edit, re-import with onConflict=update', async () => {
    const created = await owner
      .post('/api/v1/contacts')
      .send({
        kind: 'person',
        displayName: 'Round Trip',
        firstName: '',
        notes: '',
        emails: [{ email: 'round.trip@example.test' }],
        phones: [{ number: '+44 20 7946 0000' }],
      })
      .expect(201);
    const id = (created.body as { id: string }).id;
    const exported = await exportFile('contacts', 'csv', { q: 'Round Trip' });
    expect(exported.rows).toBe(1);
    const unchanged = await runImport(exported.body, {
      resource: 'contacts',
      mode: 'commit',
      onConflict: 'update',
      filename: 'c.csv',
    });
    expect(unchanged).toMatchObject({ rows: 1, invalid: 0, updated: 0, skipped: 1 });
    const edited = exported.body
      .toString('utf8')
      .replace('Round Trip', 'Round Trip Edited')
      .replace('+44 20 7946 0000', '+44 20 7946 1111');
    const dry = await runImport(edited, {
      resource: 'contacts',
      mode: 'dry-run',
      onConflict: 'update',
      filename: 'c.csv',
    });
    const commit = await runImport(edited, {
      resource: 'contacts',
      mode: 'commit',
      onConflict: 'update',
      filename: 'c.csv',
    });
    for (const result of [dry, commit])
      expect(result).toMatchObject({ rows: 1, invalid: 0, inserted: 0, updated: 1 });
    const [row] = await query<{
      display_name: string;
      first_name: string;
      notes: string;
      version: number;
    }>('SELECT display_name, first_name, notes, version FROM contacts WHERE id = $1', [id]);
    expect(row).toEqual({
      display_name: 'Round Trip Edited',
      first_name: '',
      notes: '',
      version: 2,
    });
    const phones = await query<{ number: string; is_primary: boolean }>(
      'SELECT number, is_primary FROM contact_phones WHERE contact_id = $1',
      [id],
    );
    expect(phones).toEqual([{ number: '+44 20 7946 1111', is_primary: true }]);
  });

  it('the dry run runs what the commit runs: a row only the database refuses is reported by both', async () => {
    await query(
      `ALTER TABLE products ADD CONSTRAINT ck_products_test_name CHECK (name <> 'Refused by the database')`,
    );
    await query(
      `ALTER TABLE contacts ADD CONSTRAINT ck_contacts_test_name CHECK (display_name <> 'Refused by the database')`,
    );
    try {
      const csv = [
        HEADER,
        'DB-1,Accepted one,,goods,active,,,pc,,,',
        'DB-2,Refused by the database,,goods,active,,,pc,,,',
        'DB-3,Accepted three,,goods,active,,,pc,,,',
      ].join('\n');
      const expected = {
        rows: 3,
        valid: 2,
        invalid: 1,
        inserted: 2,
        errors: [
          {
            line: 3,
            column: '',
            message: 'A value breaks a rule of this record (check_violation)',
          },
        ],
      };
      const dry = await runImport(csv, { mode: 'dry-run' });
      expect(dry).toMatchObject(expected);
      expect(await productBySku('DB-1')).toBeUndefined(); // rolled back
      const commit = await runImport(csv, { mode: 'commit' });
      expect(commit).toMatchObject(expected);
      const loaded = await query<{ sku: string }>(
        `SELECT sku::text FROM products WHERE organization_id = $1 AND sku LIKE 'DB-%' ORDER BY sku`,
        [owner.organization.id],
      );
      expect(loaded).toEqual([{ sku: 'DB-1' }, { sku: 'DB-3' }]);

      const contacts = [
        CONTACT_HEADER,
        'person,Refused by the database,,,,,refused@example.test,,,,',
        'person,Accepted,,,,,accepted@example.test,,,,',
      ].join('\n');
      const options = { resource: 'contacts', filename: 'c.csv' };
      const contactExpected = {
        rows: 2,
        valid: 1,
        invalid: 1,
        inserted: 1,
        errors: [{ line: 2, column: '', message: expect.stringContaining('check_violation') }],
      };
      expect(await runImport(contacts, { ...options, mode: 'dry-run' })).toMatchObject(
        contactExpected,
      );
      expect(await runImport(contacts, { ...options, mode: 'commit' })).toMatchObject(
        contactExpected,
      );
      const emails = await query<{ email: string }>(
        `SELECT email FROM contact_emails WHERE organization_id = $1 AND email IN ('refused@example.test', 'accepted@example.test')`,
        [owner.organization.id],
      );
      expect(emails).toEqual([{ email: 'accepted@example.test' }]);
    } finally {
      await query('ALTER TABLE products DROP CONSTRAINT ck_products_test_name');
      await query('ALTER TABLE contacts DROP CONSTRAINT ck_contacts_test_name');
    }
  });

  it('XLSX cells are read as Excel shows them: =1.1*3 is 3.3, numbers, booleans and dates as text', async () => {
    const file = await workbook([
      ['sku', 'name', 'description', 'type', 'price', 'currencyCode', 'tags'],
      [
        'XL-1',
        'Formula price',
        'x',
        'goods',
        { formula: '1.1*3', result: 3.3000000000000003 },
        'EUR',
        '',
      ],
      [12345, true, new Date(Date.UTC(2026, 0, 15)), 'goods', 0.1 + 0.2, 'EUR', ''],
      ['XL-3', 'No cached result', '', 'goods', { formula: 'B2*2' }, 'EUR', ''],
      ['XL-4', 'Too many decimals', '', 'goods', 1.23456, 'EUR', ''],
    ]);
    const options = { filename: 'p.xlsx', type: XLSX };
    const expected = {
      rows: 4,
      valid: 2,
      invalid: 2,
      inserted: 2,
      errors: [
        {
          line: 4,
          column: 'price',
          message:
            'the formula has no saved result: open the file in a spreadsheet and save it again',
        },
        {
          line: 5,
          column: 'price',
          message: 'price must be a non-negative decimal string with at most 4 decimals',
        },
      ],
    };
    expect(await runImport(file, { ...options, mode: 'dry-run' })).toMatchObject(expected);
    expect(await runImport(file, { ...options, mode: 'commit' })).toMatchObject(expected);
    expect(await productBySku('XL-1')).toMatchObject({ price: '3.3000', name: 'Formula price' });
    expect(await productBySku('12345')).toMatchObject({
      price: '0.3000',
      name: 'true',
      description: '2026-01-15',
    });
    expect(await productBySku('XL-3')).toBeUndefined();
  });

  it('NUL and other control characters in CSV and XLSX cells are row errors (line, column), before any query', async () => {
    const csv = [
      HEADER,
      'CC-1,"Nul\u0000name",,goods,active,,,pc,,,',
      'CC-2,Multi-line ok,"line one\nline two\tand a tab",goods,active,,,pc,,,',
      'CC-3,Bell in text,"ring\u0007",goods,active,,,pc,,,',
      'CC-4,Tab in a name\tis refused,,goods,active,,,pc,,,',
    ].join('\n');
    const expected = {
      rows: 4,
      valid: 1,
      invalid: 3,
      inserted: 1,
      errors: [
        {
          line: 2,
          column: 'name',
          message:
            'contains the control character U+0000 at position 4 (not allowed in this column)',
        },
        {
          line: 5,
          column: 'description',
          message:
            'contains the control character U+0007 at position 5 (only tab and line breaks are allowed)',
        },
        {
          line: 6,
          column: 'name',
          message:
            'contains the control character U+0009 at position 14 (not allowed in this column)',
        },
      ],
    };
    expect(await runImport(csv, { mode: 'dry-run' })).toMatchObject(expected);
    expect(await runImport(csv, { mode: 'commit' })).toMatchObject(expected);
    expect(await productBySku('CC-2')).toMatchObject({
      description: 'line one\nline two\tand a tab',
    });
    expect(await productBySku('CC-1')).toBeUndefined();

    // XLSX: Excel writes control characters as _xHHHH_ escapes, which read back as the character.
    const xlsx = await workbook([
      ['sku', 'name', 'type'],
      ['CC-5', 'Nul_x0000_in xlsx', 'goods'],
      ['CC-6', 'Clean xlsx', 'goods'],
    ]);
    expect(await runImport(xlsx, { mode: 'commit', filename: 'p.xlsx', type: XLSX })).toMatchObject(
      {
        rows: 2,
        inserted: 1,
        errors: [
          {
            line: 2,
            column: 'name',
            message:
              'contains the control character U+0000 at position 4 (not allowed in this column)',
          },
        ],
      },
    );

    // Contacts, the other importer: notes may span lines, a name may not hold a NUL.
    const contacts = [
      CONTACT_HEADER,
      'person,"Ada\u0000",,,,,nul.contact@example.test,,,,',
      'person,Grace,,,,,grace.cc@example.test,,,,"first\nsecond"',
    ].join('\n');
    expect(
      await runImport(contacts, { resource: 'contacts', mode: 'commit', filename: 'c.csv' }),
    ).toMatchObject({
      rows: 2,
      inserted: 1,
      errors: [{ line: 2, column: 'displayName', message: expect.stringContaining('U+0000') }],
    });
  });

  it('hostile-input walk: every C0 control character in every column, CSV and XLSX, is refused on its cell', async () => {
    const columns = HEADER.split(',');
    const valid: Record<string, string> = {
      name: 'Walk',
      description: 'walk',
      type: 'goods',
      status: 'active',
      price: '1',
      currencyCode: 'EUR',
      uomCode: 'pc',
      categoryId: '',
      tags: 'walk',
      'cf.colour': '',
    };
    const cases: { line: number; column: string; code: number; allowed: boolean }[] = [];
    const rows: string[][] = [];
    for (const column of columns)
      for (let code = 0; code < 0x20; code += 1) {
        const sku = `WALK-${rows.length}`;
        const values = columns.map((c) => (c === 'sku' ? sku : valid[c]));
        const index = columns.indexOf(column);
        values[index] = `${values[index] || 'x'}${String.fromCharCode(code)}y`;
        const allowed = column === 'description' && [0x09, 0x0a, 0x0d].includes(code);
        rows.push(values);
        cases.push({ line: 0, column, code, allowed });
      }
    const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
    // CSV: a record with a line break in a cell ends on a later line.
    let line = 1;
    const csv = [HEADER];
    rows.forEach((values, i) => {
      line += 1 + (values.join('').match(/\r\n|\n|\r/g)?.length ?? 0);
      cases[i].line = line;
      csv.push(values.map(quote).join(','));
    });
    const xlsxRows = rows.map((values) =>
      values.map((v) =>
        // Excel saves control characters as _xHHHH_ escapes.
        v.replace(
          new RegExp(CONTROL_CHARS_RE.source, 'g'),
          (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`,
        ),
      ),
    );
    const xlsx = await workbook([columns, ...xlsxRows]);
    for (const format of ['csv', 'xlsx'] as const) {
      const result =
        format === 'csv'
          ? await runImport(`${csv.join('\n')}\n`, { mode: 'dry-run' })
          : await runImport(xlsx, { mode: 'dry-run', filename: 'walk.xlsx', type: XLSX });
      const refused = new Map<string, string>();
      const report = await owner
        .get(`/api/v1/files/${result.errorFileId}/content`)
        .buffer(true)
        .parse(binary);
      const reportLines = (report.body as Buffer).toString('utf8').trim().split('\n').slice(1);
      for (const text of reportLines) {
        const [number, column, ...message] = text.split(',');
        if (message.join(',').includes('control character'))
          refused.set(`${number}:${column}`, message.join(','));
      }
      const allowedCount = cases.filter((c) => c.allowed).length;
      expect(result).toMatchObject({ rows: cases.length, valid: allowedCount });
      cases.forEach((c, i) => {
        const at = format === 'csv' ? c.line : i + 2;
        const hex = c.code.toString(16).toUpperCase().padStart(4, '0');
        if (c.allowed) expect(refused.has(`${at}:${c.column}`)).toBe(false);
        else expect(refused.get(`${at}:${c.column}`)).toContain(`U+${hex}`);
      });
    }
    const walked = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM products WHERE organization_id = $1 AND sku LIKE 'WALK-%'`,
      [owner.organization.id],
    );
    expect(walked[0].n).toBe(0); // dry runs
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
      `SELECT sku::text AS sku, name,
              array(SELECT t.name FROM taggings g JOIN tags t ON t.id = g.tag_id
                     WHERE g.target_id = products.id ORDER BY t.name_key) AS tags
         FROM products WHERE organization_id = $1 AND sku IN ('NRM-1', 'NRM-2') ORDER BY sku`,
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

  it('per-row messages are in the starter’s language (Accept-Language at start), in the result and the error file', async () => {
    const csv = [
      HEADER,
      'FR-1,Good,,goods,active,1.50,EUR,pc,,,',
      'FR-2,,,gadget,active,1.50,ZZZ,furlong,,,',
      'FR-1,Twice,,goods,active,,,pc,,,',
      'FR-4,Bell\u0007,,goods,active,,,pc,,,',
      'FR-5,Price,,goods,active,2.50,,pc,,,{oops',
    ].join('\n');
    const countBefore = await productCount();
    const english = await runImport(csv, { mode: 'dry-run' });
    const french = await runImport(csv, { mode: 'dry-run', acceptLanguage: 'fr-FR,fr;q=0.9' });
    expect(await productCount()).toBe(countBefore); // dry runs write nothing

    // Same rows, same columns; only the words differ.
    const shape = (r: ImportResult) => r.errors.map((e) => [e.line, e.column]);
    expect(shape(french)).toEqual(shape(english));
    expect(french.errorCount).toBe(english.errorCount);
    expect(english.errors).toEqual(
      expect.arrayContaining([
        { line: 3, column: 'currencyCode', message: 'unknown or inactive currency' },
        { line: 3, column: 'uomCode', message: 'unknown or inactive unit of measure' },
        { line: 4, column: 'sku', message: 'appears twice in this file' },
      ]),
    );
    expect(french.errors).toEqual(
      expect.arrayContaining([
        { line: 3, column: 'currencyCode', message: 'devise inconnue ou inactive' },
        { line: 3, column: 'uomCode', message: 'unité de mesure inconnue ou inactive' },
        { line: 4, column: 'sku', message: 'apparaît deux fois dans ce fichier' },
        {
          line: 6,
          column: 'currencyCode',
          message: 'un prix demande une devise, et une devise un prix',
        },
        { line: 6, column: 'cf.colour', message: 'colour n’est pas un champ personnalisé' },
      ]),
    );
    const control = french.errors.find((e) => e.line === 5);
    expect(control?.message).toMatch(/^contient le caractère de contrôle U\+0007 en position 5/);
    // No English sentence is left in a French answer (class-validator's messages included).
    for (const error of french.errors) {
      expect(error.message).not.toMatch(/\b(must|should|unknown|appears|needs|contains|not a)\b/);
      expect(Object.keys(error).sort()).toEqual(['column', 'line', 'message']);
    }
    const english3 = english.errors.filter((e) => e.line === 3).map((e) => e.message);
    const french3 = french.errors.filter((e) => e.line === 3).map((e) => e.message);
    expect(french3).not.toEqual(english3);

    // The downloadable error file carries the same French messages.
    const file = await owner
      .get(`/api/v1/files/${french.errorFileId}/content`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    const text = (file.body as Buffer).toString('utf8');
    expect(text).toContain('devise inconnue ou inactive');
    expect(text).toContain('apparaît deux fois dans ce fichier');
    expect(text).not.toContain('unknown or inactive currency');
  });
});
