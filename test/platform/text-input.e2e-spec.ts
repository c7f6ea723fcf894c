import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { normalizeName } from '../../src/core/text';
import { NormalizeStoredNames1764001430000 } from '../../src/database/migrations/1764001430000-NormalizeStoredNames';
import type { Actor } from '../support/auth';
import { createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { status: string; code: string; detail: string; source?: Record<string, string> }[];
}

/** Every GET route of the real app, as `/api/v1/...` with its `:params`. */
function getRoutes(t: TestApp): string[] {
  const routes = new Set<string>();
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
        const full = [base, path].filter((p) => p && p !== '/').join('/');
        if (/^(healthz|metrics)/.test(full)) continue;
        routes.add(`/api/v1/${full}`);
      }
    }
  }
  return [...routes].sort();
}

const count = async (t: TestApp, table: string) =>
  (await t.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table}"`))[0].n;

describe('one input rule for client strings; one normalisation rule for unique names', () => {
  let t: TestApp;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
  });
  afterAll(async () => t.close());

  describe('control characters (issue 14, finding 8)', () => {
    it('GET /contacts?q=a%00b → 422 naming q (was 500)', async () => {
      const res = await owner.get('/api/v1/contacts?q=a%00b');
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        errors: [
          {
            status: '422',
            code: 'validation_error',
            detail: '"q" must not contain control characters (U+0000-U+001F)',
            source: { parameter: 'q' },
          },
        ],
      });
    });

    it('every GET route refuses NUL in ?q= and control characters in path parameters', async () => {
      const routes = getRoutes(t);
      const lists = routes.filter((route) => !route.includes(':'));
      expect(lists.length).toBeGreaterThanOrEqual(13);
      for (const route of routes) {
        const concrete = route.replace(/:[A-Za-z]+/g, '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
        const query = await owner.get(`${concrete}?q=a%00b`);
        expect([route, query.status, (query.body as Envelope).errors?.[0]?.source]).toEqual([
          route,
          422,
          { parameter: 'q' },
        ]);
        const param = /:([A-Za-z]+)/.exec(route);
        if (!param) continue;
        const poisoned = route.replace(`:${param[1]}`, 'x%00y').replace(/:[A-Za-z]+/g, 'z');
        const path = await owner.get(poisoned);
        expect([route, path.status, (path.body as Envelope).errors?.[0]?.source]).toEqual([
          route,
          422,
          { parameter: param[1] },
        ]);
      }
    });

    it('refuses every C0 control but tab/LF/CR in query values, and those too (single-line)', async () => {
      for (const encoded of ['%01', '%1B', '%09', '%0A', '%0D']) {
        const res = await owner.get(`/api/v1/products?q=a${encoded}b`);
        expect([encoded, res.status]).toEqual([encoded, 422]);
      }
      await owner.get('/api/v1/products?q=caf%C3%A9').expect(200);
    });

    it('chat message body with NUL → 422 /body, nothing stored; multi-line bodies are fine', async () => {
      const room = await owner.post('/api/v1/chat-rooms').send({ name: 'Dock' }).expect(201);
      const url = `/api/v1/chat-rooms/${(room.body as { id: string }).id}/messages`;
      const res = await owner.post(url).send({ body: 'a\u0000b' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        errors: [{ code: 'validation_error', source: { pointer: '/body' } }],
      });
      expect(await count(t, 'chat_messages')).toBe(0);
      const multiline = await owner.post(url).send({ body: 'line 1\n\tline 2\r\n' }).expect(201);
      expect((multiline.body as { body: string }).body).toBe('line 1\n\tline 2\r\n');
      expect(await count(t, 'chat_messages')).toBe(1);
    });

    it('NUL in category, contact and API-key names → 422 with the pointer, nothing written', async () => {
      const [{ id: roleId }] = await t.dataSource.query<{ id: string }[]>(
        `SELECT id FROM roles WHERE organization_id IS NULL AND name = 'Viewer'`,
      );
      const cases: [string, string, Record<string, unknown>, string][] = [
        ['/api/v1/categories', 'categories', { type: 'product', name: 'Tea\u0000' }, '/name'],
        [
          '/api/v1/contacts',
          'contacts',
          { kind: 'person', displayName: '\u0000Ada' },
          '/displayName',
        ],
        ['/api/v1/api-keys', 'api_keys', { name: 'scan\u0000ner', roleId }, '/name'],
        [
          '/api/v1/contacts',
          'contacts',
          { kind: 'person', displayName: 'Ada', emails: [{ email: 'ada@example.com\u0007' }] },
          '/emails/0/email',
        ],
      ];
      for (const [url, table, body, pointer] of cases) {
        const before = await count(t, table);
        const res = await owner.post(url).send(body);
        expect([url, res.status]).toEqual([url, 422]);
        expect((res.body as Envelope).errors.map((e) => e.source?.pointer)).toEqual([pointer]);
        expect(await count(t, table)).toBe(before);
      }
    });

    it('a control character in a JSON field name is named too', async () => {
      const res = await owner
        .post('/api/v1/categories')
        .send({ type: 'product', 'na\u0000me': 'x' });
      expect(res.status).toBe(422);
      expect((res.body as Envelope).errors[0].source).toEqual({ pointer: '/na\u0000me' });
    });

    it('a NUL deep inside a nested body is found (iteratively) and named by its pointer', async () => {
      // (built as text: JSON.stringify itself would exhaust the stack at this depth)
      const depth = 5_000;
      const deep = `${'['.repeat(depth)}"a\\u0000"${']'.repeat(depth)}`;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/categories',
        headers: { ...owner.headers, 'content-type': 'application/json' },
        payload: `{"type":"product","name":"Deep","deep":${deep},"whole":"\\u0001"}`,
      });
      expect(res.statusCode).toBe(422);
      const pointers = res.json<Envelope>().errors.map((e) => e.source?.pointer);
      expect(pointers).toEqual(['/deep' + '/0'.repeat(depth), '/whole']);
      expect(await count(t, 'categories')).toBe(0);
    });

    it('headers: X-Organization-Id and Idempotency-Key with NUL → 422 naming the header', async () => {
      for (const [name, value] of [
        ['x-organization-id', `${owner.organization.id}\u0000`],
        ['idempotency-key', 'key\u0000'],
      ]) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/categories',
          headers: { ...owner.headers, 'content-type': 'application/json', [name]: value },
          payload: JSON.stringify({ type: 'product', name: `Header ${name}` }),
        });
        expect([name, res.statusCode]).toEqual([name, 422]);
        expect(res.json<Envelope>().errors[0]).toMatchObject({
          code: 'validation_error',
          source: { header: name },
        });
      }
      expect(await count(t, 'idempotency_keys')).toBe(0);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM categories WHERE name LIKE 'Header %'`,
      );
      expect(n).toBe(0);
    });
  });

  describe('name normalisation (issue 14, finding 3)', () => {
    const conflictOn = (res: { status: number; body: unknown }, pointer: string) => {
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ errors: [{ code: 'conflict', source: { pointer } }] });
    };

    it('Cat C, " Cat C ", "Cat\\u200b C" under one parent: 409 after the first; stored normalised', async () => {
      const parent = await owner
        .post('/api/v1/categories')
        .send({ type: 'product', name: 'Parent' })
        .expect(201);
      const parentId = (parent.body as { id: string }).id;
      const first = await owner
        .post('/api/v1/categories')
        .send({ type: 'product', name: '  Cat \t  C ', parentId })
        .expect(201);
      expect((first.body as { name: string }).name).toBe('Cat C');
      for (const name of ['Cat C', ' Cat C ', 'Cat\u200b C', 'cat\u00a0c', '\ufeffCAT C\u2060'])
        conflictOn(
          await owner.post('/api/v1/categories').send({ type: 'product', name, parentId }),
          '/name',
        );
      const rows = await t.dataSource.query<{ name: string }[]>(
        `SELECT name FROM categories WHERE parent_id = $1`,
        [parentId],
      );
      expect(rows).toEqual([{ name: 'Cat C' }]);
    });

    it('Café (NFC) then Cafe\\u0301 (NFD) → 409, stored NFC; a rename to a look-alike → 409', async () => {
      const nfc = await owner
        .post('/api/v1/categories')
        .send({ type: 'contact', name: 'Caf\u00e9' })
        .expect(201);
      conflictOn(
        await owner.post('/api/v1/categories').send({ type: 'contact', name: 'Cafe\u0301' }),
        '/name',
      );
      const other = await owner
        .post('/api/v1/categories')
        .send({ type: 'contact', name: 'Cafe\u0301 Noir' })
        .expect(201);
      expect((other.body as { name: string }).name).toBe('Caf\u00e9 Noir');
      conflictOn(
        await owner
          .patch(`/api/v1/categories/${(other.body as { id: string }).id}`)
          .send({ name: ' CAFE\u0301 ' }),
        '/name',
      );
      const [row] = await t.dataSource.query<{ name: string }[]>(
        `SELECT name FROM categories WHERE id = $1`,
        [(nfc.body as { id: string }).id],
      );
      expect(row.name).toBe('Caf\u00e9');
      expect(row.name.normalize('NFC')).toBe(row.name);
    });

    it('warehouse code: " PAR-1 " and "par-1" after PAR-1 → 409; the name is stored normalised', async () => {
      const created = await owner
        .post('/api/v1/warehouses')
        .send({ code: 'PAR-1', name: ' Paris \u200b north ' })
        .expect(201);
      expect(created.body).toMatchObject({ code: 'PAR-1', name: 'Paris north' });
      for (const code of [' PAR-1 ', 'par-1', '\u200bPAR-1'])
        conflictOn(await owner.post('/api/v1/warehouses').send({ code, name: 'Other' }), '/code');
      expect(await count(t, 'warehouses')).toBe(1);
    });

    it('product sku: " tea-1 " after TEA-1 → 409; tags are normalised', async () => {
      const created = await owner
        .post('/api/v1/products')
        .send({ sku: 'TEA-1', name: 'Earl  Grey', type: 'goods', tags: [' organic  tea '] })
        .expect(201);
      expect(created.body).toMatchObject({
        sku: 'TEA-1',
        name: 'Earl Grey',
        tags: ['organic tea'],
      });
      conflictOn(
        await owner.post('/api/v1/products').send({ sku: ' tea-1 ', name: 'Copy', type: 'goods' }),
        '/sku',
      );
    });

    it('role name: " accountant\\u200b " after Accountant → 409', async () => {
      await owner
        .post('/api/v1/roles')
        .send({ name: 'Accountant', permissions: ['organizations:read'] })
        .expect(201);
      conflictOn(
        await owner
          .post('/api/v1/roles')
          .send({ name: ' accountant\u200b ', permissions: ['organizations:read'] }),
        '/name',
      );
      const rows = await t.dataSource.query<{ name: string }[]>(
        `SELECT name FROM roles WHERE organization_id = $1`,
        [owner.organization.id],
      );
      expect(rows).toEqual([{ name: 'Accountant' }]);
    });

    it('organization code: " acme-eu " after ACME-EU → 409; the name is stored normalised', async () => {
      const created = await owner
        .post('/api/v1/organizations')
        .send({ code: 'ACME-EU', name: 'ACME\u3000 Europe ', typeCode: 'company' })
        .expect(201);
      expect(created.body).toMatchObject({ code: 'ACME-EU', name: 'ACME Europe' });
      conflictOn(
        await owner
          .post('/api/v1/organizations')
          .send({ code: ' acme-eu ', name: 'Copy', typeCode: 'company' }),
        '/code',
      );
    });

    it('emails are normalised too: a contact email with spaces and a zero-width space is stored clean', async () => {
      const res = await owner
        .post('/api/v1/contacts')
        .send({
          kind: 'person',
          displayName: 'Ada',
          emails: [{ email: ' ada\u200b@example.com ' }],
        })
        .expect(201);
      expect((res.body as { emails: { email: string }[] }).emails[0].email).toBe('ada@example.com');
      const [row] = await t.dataSource.query<{ email: string }[]>(
        `SELECT email FROM contact_emails WHERE contact_id = $1`,
        [(res.body as { id: string }).id],
      );
      expect(row.email).toBe('ada@example.com');
    });

    it('a name that is only invisible characters is empty, so refused (422)', async () => {
      const res = await owner
        .post('/api/v1/categories')
        .send({ type: 'product', name: '\u200b \u200d' });
      expect(res.status).toBe(422);
      expect((res.body as Envelope).errors[0].source).toEqual({ pointer: '/name' });
    });

    it('SQL alees_normalize_name agrees with normalizeName character for character', async () => {
      const samples = [
        ' Cat C ',
        'Cat\u200b C',
        'Cafe\u0301 Cre\u0300me',
        '\ufeffa\u2060b\u200cc\u200dd',
        'a\t\n\v\f\rb',
        [
          'a',
          '\u00a0',
          '\u1680',
          '\u2000',
          '\u200a',
          '\u2028',
          '\u2029',
          '\u202f',
          '\u205f',
          '\u3000',
          'b',
        ].join(''),
        'x\u0085y',
        'Ω\u2126\u212b',
        '  ',
      ];
      const rows = await t.dataSource.query<{ normalized: string }[]>(
        `SELECT alees_normalize_name(value) AS normalized FROM unnest($1::text[]) WITH ORDINALITY AS s(value, n) ORDER BY n`,
        [samples],
      );
      expect(rows.map((r) => r.normalized)).toEqual(samples.map(normalizeName));
    });

    it('the migration normalises stored rows, and fails loudly (changing nothing) on a collision', async () => {
      const migration = new NormalizeStoredNames1764001430000();
      const runner = t.dataSource.createQueryRunner();
      await runner.startTransaction();
      try {
        const org = owner.organization.id;
        await runner.query(
          `INSERT INTO warehouses (organization_id, code, name) VALUES ($1, 'W-9', $2)`,
          [org, ' Ware\u200bhouse \t 9 '],
        );
        await runner.query(
          `INSERT INTO products (organization_id, sku, name, type, uom_code) VALUES ($1, 'OLD-1', $2, 'goods', 'pc')`,
          [org, 'Cafe\u0301  Old'],
        );
        await migration.down(runner);
        await migration.up(runner);
        expect(
          await runner.query(
            `SELECT name FROM warehouses WHERE code = 'W-9' UNION ALL SELECT name FROM products WHERE sku = 'OLD-1'`,
          ),
        ).toEqual([{ name: 'Warehouse 9' }, { name: 'Caf\u00e9 Old' }]);

        await runner.query(
          `INSERT INTO categories (organization_id, type, name, path, depth)
             VALUES ($1, 'product', 'Dup', 'a', 0), ($1, 'product', $2, 'b', 0)`,
          [org, 'Dup\u200b'],
        );
        await migration.down(runner);
        await expect(migration.up(runner)).rejects.toThrow(
          /two rows of categories\.name become the same value once normalised .*uq_categories_name|rename one/,
        );
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM categories WHERE name LIKE 'Dup%'`,
      );
      expect(n).toBe(0);
    });
  });
});
