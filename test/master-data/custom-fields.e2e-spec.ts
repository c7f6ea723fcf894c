import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { CustomFieldCatalog } from '../../src/core/filters/custom-field-catalog';
import { Actor, addActor, createTenant } from '../support/auth';
import {
  ContractActors,
  describeResourceContract,
  tenantActors,
} from '../support/resource-contract';
import { createTestApp, TestApp } from '../support/test-app';

interface Definition {
  id: string;
  entityType: string;
  key: string;
  type: string;
  isActive: boolean;
  version: number;
}
interface Envelope {
  errors: { code: string; source?: { pointer?: string; parameter?: string } }[];
}
interface Task<R> {
  state: string;
  result: R;
  error: unknown;
}

const slug = () => `k${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const pointers = (res: { body: unknown }) =>
  (res.body as Envelope).errors.map((e) => e.source?.pointer).sort();
const codes = (res: { body: unknown }) => (res.body as Envelope).errors.map((e) => e.code);
const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('custom fields (issue 18, SPEC-P3 §0)', () => {
  let t: TestApp;
  let actors: ContractActors;
  let owner: Actor;
  let member: Actor; // Member: custom-fields:read, products:manage
  let other: Actor; // another tenant's Owner

  beforeAll(async () => {
    t = await createTestApp();
    await t.startWorker();
    actors = await tenantActors(t);
    owner = actors.writer;
    member = await addActor(t, owner.organization, ['Member']);
    other = actors.otherTenant!;
  });
  afterAll(async () => t.close());

  const define = async (body: Record<string, unknown>, actor = owner): Promise<Definition> => {
    const res = await actor
      .post('/api/v1/custom-fields')
      .send({ entityType: 'product', label: 'A field', ...body });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Definition;
  };
  const product = async (body: Record<string, unknown> = {}, actor = owner) =>
    actor.post('/api/v1/products').send({
      sku: `CF-${randomUUID().slice(0, 8)}`,
      name: 'Custom tea',
      type: 'goods',
      ...body,
    });
  const definitionCount = async (orgId = owner.organization.id) =>
    (
      await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM custom_field_definitions WHERE organization_id = $1',
        [orgId],
      )
    )[0].n;
  const storedValues = async (table: 'products' | 'contacts', id: string) =>
    (
      await t.dataSource.query<{ custom_fields: Record<string, unknown>; version: number }[]>(
        `SELECT custom_fields, version FROM ${table} WHERE id = $1`,
        [id],
      )
    )[0];

  describeResourceContract(() => actors, {
    url: '/api/v1/custom-fields',
    table: 'custom_field_definitions',
    auditType: 'custom_field',
    create: () => ({ entityType: 'contact', key: slug(), label: 'Birthday', type: 'date' }),
    invalid: {
      body: { entityType: 'contact', key: 'Bad Key', label: '', type: 'nope' },
      pointers: ['/key', '/label', '/type'],
    },
    update: { body: { label: 'Renamed' }, expect: { label: 'Renamed' } },
    listFilter: () => '?entityType=contact',
    notNullField: 'label',
  });

  describe('definitions', () => {
    it('checks the rules of each type (options, bounds, pattern) and writes nothing when refused', async () => {
      const before = await definitionCount();
      const cases: [Record<string, unknown>, string[]][] = [
        [{ type: 'select' }, ['/options']],
        [{ type: 'select', options: [] }, ['/options']],
        [
          { type: 'multiselect', options: ['Red', ' red ', 'ＲＥＤ'] },
          ['/options/1', '/options/2'],
        ],
        [{ type: 'select', options: ['a|b'] }, ['/options/0']],
        [{ type: 'text', options: ['a'] }, ['/options']],
        [{ type: 'boolean', min: 1 }, ['/min']],
        [{ type: 'number', min: 5, max: 1 }, ['/max']],
        [{ type: 'date', min: '2026-02-30' }, ['/min']],
        [{ type: 'text', max: 20_000 }, ['/max']],
        [{ type: 'text', pattern: '(a+)+$' }, ['/pattern']],
        [{ type: 'text', pattern: '(a|aa)*b' }, ['/pattern']],
        [{ type: 'text', pattern: '(x)\\1' }, ['/pattern']],
        [{ type: 'text', pattern: '[' }, ['/pattern']],
        [{ type: 'number', pattern: '^1$' }, ['/pattern']],
        [{ type: 'text', key: 'Color' }, ['/key']],
        [{ type: 'text', key: 'c\u043elor' /* Cyrillic o */ }, ['/key']],
        [{ type: 'text', key: '__proto__' }, ['/key']],
        [{ type: 'text', key: 'a'.repeat(41) }, ['/key']],
        [{ type: 'text', label: 'x'.repeat(101) }, ['/label']],
        [{ type: 'text', label: '\u200b ' }, ['/label']],
        [{ type: 'text', label: 'nul\u0000' }, ['/label']],
      ];
      for (const [body, expected] of cases) {
        const res = await owner
          .post('/api/v1/custom-fields')
          .send({ entityType: 'product', key: slug(), label: 'Field', ...body });
        expect({ body, status: res.status }).toEqual({ body, status: 422 });
        expect({ body, pointers: pointers(res) }).toEqual({ body, pointers: expected });
      }
      const unknownType = await owner
        .post('/api/v1/custom-fields')
        .send({ entityType: 'invoice', key: slug(), label: 'x', type: 'text' });
      expect(unknownType.status).toBe(422);
      expect(unknownType.body).toMatchObject({
        errors: [{ code: 'unknown_entity_type', source: { pointer: '/entityType' } }],
      });
      expect(await definitionCount()).toBe(before);
    });

    it('stores normalised rules and shows bounds typed by the field type', async () => {
      const select = await define({
        key: slug(),
        type: 'multiselect',
        options: [' Cafe\u0301 ', 'Tea\u200b', 'Milk'],
      });
      expect(select).toMatchObject({
        options: ['Café', 'Tea', 'Milk'],
        min: null,
        required: false,
      });
      const text = await define({ key: slug(), type: 'text', min: 2, max: 5, pattern: '^[A-Z]+$' });
      expect(text).toMatchObject({ min: 2, max: 5, pattern: '^[A-Z]+$', isActive: true });
      const decimal = await define({ key: slug(), type: 'decimal', min: '0.10', max: 99.5 });
      expect(decimal).toMatchObject({ min: '0.1', max: '99.5' });
      const when = await define({
        key: slug(),
        type: 'datetime',
        min: '2026-01-01T00:00:00+01:00',
      });
      expect(when).toMatchObject({ min: '2025-12-31T23:00:00.000Z' });
      const listed = await owner
        .get('/api/v1/custom-fields?entityType=product&type=multiselect&size=100')
        .expect(200);
      expect((listed.body as { items: Definition[] }).items.map((d) => d.id)).toContain(select.id);
    });

    it('keeps key and entity type immutable, keys unique per entity type (409), even when created at once', async () => {
      const field = await define({ key: slug(), type: 'text' });
      const rekey = await owner
        .patch(`/api/v1/custom-fields/${field.id}`)
        .send({ key: 'other', entityType: 'contact' });
      expect(rekey.status).toBe(422);
      expect(pointers(rekey)).toEqual(['/entityType', '/key']);
      const again = await owner
        .post('/api/v1/custom-fields')
        .send({ entityType: 'product', key: field.key, label: 'Again', type: 'number' });
      expect(again.status).toBe(409);
      expect(codes(again)).toEqual(['custom_field_key_taken']);
      // The same key for another entity type, or in another organization, is another field.
      await define({ key: field.key, type: 'number', entityType: 'contact' });
      await define({ key: field.key, type: 'number' }, other);

      const key = slug();
      const raced = await Promise.all(
        [0, 1, 2].map(() =>
          owner
            .post('/api/v1/custom-fields')
            .send({ entityType: 'product', key, label: 'Race', type: 'text' }),
        ),
      );
      expect(raced.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    });

    it('at most 100 definitions per entity type, even under concurrent creation', async () => {
      const tenant = await createTenant(t);
      await t.dataSource.query(
        `INSERT INTO custom_field_definitions (organization_id, entity_type, key, label, type)
         SELECT $1, 'product', 'f' || n, 'F' || n, 'text' FROM generate_series(1, 98) n`,
        [tenant.organization.id],
      );
      const results = await Promise.all(
        [0, 1, 2].map(() =>
          tenant
            .post('/api/v1/custom-fields')
            .send({ entityType: 'product', key: slug(), label: 'x', type: 'text' }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 201, 422]);
      expect(results.flatMap((r) => (r.status === 422 ? codes(r) : []))).toEqual([
        'too_many_custom_fields',
      ]);
      expect(await definitionCount(tenant.organization.id)).toBe(100);
      // Another entity type has its own 100.
      await tenant
        .post('/api/v1/custom-fields')
        .send({ entityType: 'contact', key: slug(), label: 'x', type: 'text' })
        .expect(201);
    });

    it('a definition with values: deactivate (not delete, 409), type locked; without values: retype, delete', async () => {
      const used = await define({ key: slug(), type: 'text' });
      const made = await product({ customFields: { [used.key]: 'value' } });
      expect(made.status).toBe(201);
      const del = await owner.delete(`/api/v1/custom-fields/${used.id}`);
      expect(del.status).toBe(409);
      expect(codes(del)).toEqual(['custom_field_in_use']);
      const retype = await owner.patch(`/api/v1/custom-fields/${used.id}`).send({ type: 'number' });
      expect(retype.status).toBe(409);
      expect(codes(retype)).toEqual(['custom_field_type_locked']);
      const off = await owner
        .patch(`/api/v1/custom-fields/${used.id}`)
        .set('If-Match', '"1"')
        .send({ isActive: false });
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ isActive: false, version: 2, type: 'text' });

      const unused = await define({ key: slug(), type: 'text', max: 10 });
      const retyped = await owner
        .patch(`/api/v1/custom-fields/${unused.id}`)
        .send({ type: 'select', options: ['a', 'b'] });
      expect(retyped.status).toBe(200);
      expect(retyped.body).toMatchObject({ type: 'select', options: ['a', 'b'], max: null });
      await owner.delete(`/api/v1/custom-fields/${unused.id}`).expect(204);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM custom_field_definitions WHERE id = $1',
        [unused.id],
      );
      expect(n).toBe(0);
    });

    it('a value written while its definition is deleted: one of them wins, never an orphan value', async () => {
      for (let round = 0; round < 6; round += 1) {
        const field = await define({ key: slug(), type: 'text' });
        const [write, removal] = await Promise.all([
          product({ customFields: { [field.key]: 'raced' } }),
          owner.delete(`/api/v1/custom-fields/${field.id}`),
        ]);
        const outcome = `${write.status}/${removal.status}`;
        expect(['201/409', '422/204']).toContain(outcome);
        const [{ orphans }] = await t.dataSource.query<{ orphans: number }[]>(
          `SELECT count(*)::int AS orphans FROM products p
            WHERE p.organization_id = $1 AND p.custom_fields ? $2
              AND NOT EXISTS (SELECT 1 FROM custom_field_definitions d
                               WHERE d.organization_id = p.organization_id
                                 AND d.entity_type = 'product' AND d.key = $2)`,
          [owner.organization.id, field.key],
        );
        expect(orphans).toBe(0);
      }
    });

    it('members read definitions but cannot manage them; other organizations see 404', async () => {
      const field = await define({ key: slug(), type: 'text' });
      await member.get(`/api/v1/custom-fields/${field.id}`).expect(200);
      for (const res of [
        await member
          .post('/api/v1/custom-fields')
          .send({ entityType: 'product', key: slug(), label: 'x', type: 'text' }),
        await member.patch(`/api/v1/custom-fields/${field.id}`).send({ label: 'y' }),
        await member.delete(`/api/v1/custom-fields/${field.id}`),
      ])
        expect(res.status).toBe(403);
      for (const res of [
        await other.get(`/api/v1/custom-fields/${field.id}`),
        await other.patch(`/api/v1/custom-fields/${field.id}`).send({ label: 'y' }),
        await other.delete(`/api/v1/custom-fields/${field.id}`),
      ])
        expect(res.status).toBe(404);
      const list = await other.get('/api/v1/custom-fields?size=100').expect(200);
      expect((list.body as { items: Definition[] }).items.map((d) => d.id)).not.toContain(field.id);
      expect((await owner.get(`/api/v1/custom-fields/${field.id}`).expect(200)).body).toMatchObject(
        {
          label: 'A field',
          version: 1,
        },
      );
    });

    it('the catalog the filter grammar reads follows every change at once (cache invalidated)', async () => {
      const catalog = t.app.get(CustomFieldCatalog);
      const tenant = await createTenant(t);
      expect(await catalog.definitions(tenant.organization.id, 'product')).toEqual([]);
      const field = (
        await tenant
          .post('/api/v1/custom-fields')
          .send({
            entityType: 'product',
            key: 'grade',
            label: 'Grade',
            type: 'select',
            options: ['a'],
          })
          .expect(201)
      ).body as Definition;
      expect(await catalog.definitions(tenant.organization.id, 'product')).toEqual([
        { key: 'grade', type: 'select', options: ['a'], isActive: true },
      ]);
      await tenant
        .patch(`/api/v1/custom-fields/${field.id}`)
        .send({ isActive: false, options: ['a', 'b'] })
        .expect(200);
      expect(await catalog.definitions(tenant.organization.id, 'product')).toEqual([
        { key: 'grade', type: 'select', options: ['a', 'b'], isActive: false },
      ]);
      await tenant.delete(`/api/v1/custom-fields/${field.id}`).expect(204);
      expect(await catalog.definitions(tenant.organization.id, 'product')).toEqual([]);
      expect(await catalog.definitions(owner.organization.id, 'nothing')).toEqual([]);
    });
  });

  describe('values on records', () => {
    let tenant: Actor;
    let colleague: Actor;
    let keys: Record<string, string>;
    beforeAll(async () => {
      tenant = await createTenant(t);
      colleague = await addActor(t, tenant.organization, ['Member']);
      keys = {};
      const fields: Record<string, Record<string, unknown>> = {
        color: { type: 'select', options: ['Red', 'Blue'] },
        tags: { type: 'multiselect', options: ['x', 'y', 'z'] },
        weight: { type: 'number', min: 0, max: 1000 },
        price: { type: 'decimal' },
        organic: { type: 'boolean' },
        harvested: { type: 'date' },
        seen: { type: 'datetime' },
        buyer: { type: 'user' },
        site: { type: 'url' },
        code: { type: 'text', pattern: '^[A-Z]{2}-\\d+$' },
        note: { type: 'text' },
      };
      for (const [key, body] of Object.entries(fields)) {
        await tenant
          .post('/api/v1/custom-fields')
          .send({ entityType: 'product', key, label: key, ...body })
          .expect(201);
        keys[key] = key;
      }
      await tenant
        .post('/api/v1/custom-fields')
        .send({ entityType: 'contact', key: 'birthday', label: 'Birthday', type: 'date' })
        .expect(201);
    });
    const tenantProduct = (customFields: unknown) => product({ customFields }, tenant);

    it('stores typed, normalised values on products and shows them as an object', async () => {
      const res = await tenantProduct({
        color: ' Red ',
        tags: ['y', 'x', 'y'],
        weight: 12.5,
        price: '0010.50',
        organic: true,
        harvested: '2024-02-29',
        seen: '2026-03-01T10:00:00+02:00',
        buyer: colleague.user.id.toUpperCase(),
        site: 'https://example.com/tea',
        code: 'AB-12',
        note: 'Cafe\u0301\nsecond line',
      });
      expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status: 201 });
      const expected = {
        color: 'Red',
        tags: ['y', 'x'],
        weight: 12.5,
        price: '10.5',
        organic: true,
        harvested: '2024-02-29',
        seen: '2026-03-01T08:00:00.000Z',
        buyer: colleague.user.id,
        site: 'https://example.com/tea',
        code: 'AB-12',
        note: 'Café\nsecond line',
      };
      expect((res.body as { customFields: unknown }).customFields).toEqual(expected);
      const id = (res.body as { id: string }).id;
      expect((await storedValues('products', id)).custom_fields).toEqual(expected);
      const read = await tenant.get(`/api/v1/products/${id}`).expect(200);
      expect((read.body as { customFields: unknown }).customFields).toEqual(expected);
    });

    it('refuses bad values with 422 at /customFields/<key>, all at once, and writes nothing', async () => {
      const count = async () =>
        (
          await t.dataSource.query<{ n: number }[]>(
            'SELECT count(*)::int AS n FROM products WHERE organization_id = $1',
            [tenant.organization.id],
          )
        )[0].n;
      const before = await count();
      const res = await tenantProduct({
        color: 'R\u0435d', // Cyrillic e: a look-alike is another string
        tags: ['x', 'w'],
        weight: 1001,
        price: '1e3',
        organic: 'true',
        harvested: '2026-02-30',
        seen: '2026-03-01T10:00:00', // no offset
        buyer: other.user.id, // a user of another organization
        site: 'javascript:alert(1)',
        code: 'ab-12',
        note: 'x'.repeat(1001),
        colour: 'Red', // no such field
      });
      expect(res.status).toBe(422);
      expect(new Set(codes(res))).toEqual(new Set(['validation_error']));
      expect(pointers(res)).toEqual(
        [
          'buyer',
          'code',
          'color',
          'colour',
          'harvested',
          'note',
          'organic',
          'price',
          'seen',
          'site',
          'tags',
          'weight',
        ].map((k) => `/customFields/${k}`),
      );
      expect(await count()).toBe(before);
    });

    it('hostile bodies: prototype keys, NUL, non-finite numbers, huge and empty values', async () => {
      const raw = (json: string) =>
        tenant
          .post('/api/v1/products')
          .set('Content-Type', 'application/json')
          .send(
            `{"sku":"CF-${randomUUID().slice(0, 8)}","name":"Raw","type":"goods","customFields":${json}}`,
          );
      // The JSON parser refuses `__proto__` keys outright (400, Fastify's secure-json-parse).
      const proto = await raw('{"__proto__":{"isAdmin":true},"note":"ok"}');
      expect(proto.status).toBe(400);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      // Other prototype names reach the rules, which look keys up in a Map: unknown keys. (The
      // body parser already drops a `constructor` key: it never reaches a record either.)
      const names = await raw('{"constructor":"x","toString":"y","hasOwnProperty":1,"note":"ok"}');
      expect(names.status).toBe(422);
      expect(pointers(names)).toEqual(
        expect.arrayContaining(['/customFields/hasOwnProperty', '/customFields/toString']),
      );
      const huge = await raw('{"weight":1e309}');
      expect(huge.status).toBe(422);
      expect(pointers(huge)).toEqual(['/customFields/weight']);
      const nul = await tenantProduct({ note: 'a\u0000b' });
      expect(nul.status).toBe(422);
      expect(pointers(nul)[0]).toMatch(/^\/customFields(\/note)?$/);
      const big = await tenantProduct({ note: 'x'.repeat(200_000) });
      expect([413, 422]).toContain(big.status);
      const notObject = await raw('["note"]');
      expect(notObject.status).toBe(422);
      expect(pointers(notObject)).toEqual(['/customFields']);
      const blank = await tenantProduct({ note: '', tags: [] });
      expect(blank.status).toBe(201); // empty values are values (required is what refuses them)
    });

    it('PATCH merges keys (null removes one), keeps deactivated keys, refuses new values for them', async () => {
      const created = await tenantProduct({ color: 'Blue', weight: 1, note: 'keep' });
      const { id } = created.body as { id: string };
      const patched = await tenant
        .patch(`/api/v1/products/${id}`)
        .set('If-Match', '"1"')
        .send({ customFields: { weight: null, organic: false } });
      expect(patched.status).toBe(200);
      expect((patched.body as { customFields: unknown }).customFields).toEqual({
        color: 'Blue',
        note: 'keep',
        organic: false,
      });
      const list = await tenant
        .get('/api/v1/custom-fields?entityType=product&size=100')
        .expect(200);
      const note = (list.body as { items: Definition[] }).items.find((d) => d.key === 'note')!;
      await tenant.patch(`/api/v1/custom-fields/${note.id}`).send({ isActive: false }).expect(200);
      try {
        const renamed = await tenant
          .patch(`/api/v1/products/${id}`)
          .send({ name: 'Renamed', customFields: { color: 'Red' } });
        expect(renamed.status).toBe(200);
        expect((renamed.body as { customFields: unknown }).customFields).toEqual({
          color: 'Red',
          note: 'keep', // deactivated: kept as it was
          organic: false,
        });
        const refused = await tenant
          .patch(`/api/v1/products/${id}`)
          .send({ customFields: { note: 'new' } });
        expect(refused.status).toBe(422);
        expect(pointers(refused)).toEqual(['/customFields/note']);
        const stored = await storedValues('products', id);
        expect(stored.custom_fields).toMatchObject({ note: 'keep' });
        expect(stored.version).toBe(3);
        const fresh = await tenantProduct({ note: 'x' });
        expect(fresh.status).toBe(422);
      } finally {
        await tenant.patch(`/api/v1/custom-fields/${note.id}`).send({ isActive: true }).expect(200);
      }
    });

    it('a required field added later binds old records only when their custom fields are written', async () => {
      const old = await tenantProduct({ weight: 3 });
      const { id } = old.body as { id: string };
      const required = (
        await tenant
          .post('/api/v1/custom-fields')
          .send({
            entityType: 'product',
            key: 'grade',
            label: 'Grade',
            type: 'text',
            required: true,
          })
          .expect(201)
      ).body as Definition;
      try {
        await tenant.patch(`/api/v1/products/${id}`).send({ name: 'Still fine' }).expect(200);
        const touched = await tenant
          .patch(`/api/v1/products/${id}`)
          .send({ customFields: { weight: 4 } });
        expect(touched.status).toBe(422);
        expect(pointers(touched)).toEqual(['/customFields/grade']);
        expect((await storedValues('products', id)).custom_fields).toEqual({ weight: 3 });
        const missing = await tenantProduct({});
        expect(pointers(missing)).toEqual(['/customFields/grade']);
        await tenant
          .patch(`/api/v1/products/${id}`)
          .send({ customFields: { weight: 4, grade: 'A' } })
          .expect(200);
      } finally {
        await tenant
          .patch(`/api/v1/custom-fields/${required.id}`)
          .send({ isActive: false })
          .expect(200);
      }
    });

    it('contacts carry their own custom fields; keys of another entity type or organization are unknown', async () => {
      const res = await tenant.post('/api/v1/contacts').send({
        kind: 'person',
        displayName: 'Ada',
        customFields: { birthday: '1815-12-10' },
      });
      expect(res.status).toBe(201);
      const { id } = res.body as { id: string };
      expect((await storedValues('contacts', id)).custom_fields).toEqual({
        birthday: '1815-12-10',
      });
      const wrongType = await tenant
        .patch(`/api/v1/contacts/${id}`)
        .send({ customFields: { color: 'Red' } }); // a product field
      expect(wrongType.status).toBe(422);
      expect(pointers(wrongType)).toEqual(['/customFields/color']);
      const badDate = await tenant
        .patch(`/api/v1/contacts/${id}`)
        .send({ customFields: { birthday: '1815-02-30' } });
      expect(pointers(badDate)).toEqual(['/customFields/birthday']);
      const cleared = await tenant
        .patch(`/api/v1/contacts/${id}`)
        .send({ customFields: { birthday: null } });
      expect((cleared.body as { customFields: unknown }).customFields).toEqual({});
      // Another organization has none of these fields.
      const foreign = await other.post('/api/v1/contacts').send({
        kind: 'person',
        displayName: 'Eve',
        customFields: { birthday: '1815-12-10' },
      });
      expect(foreign.status).toBe(422);
    });

    const finish = async <R>(actor: Actor, taskId: string): Promise<R> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const task = (await actor.get(`/api/v1/tasks/${taskId}`).expect(200)).body as Task<R>;
        if (task.state === 'completed') return task.result;
        if (task.state === 'failed') throw new Error(`task failed: ${JSON.stringify(task.error)}`);
        if (Date.now() > deadline) throw new Error('task did not finish');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const exportCsv = async (resource: string, filters: object) => {
      const started = await tenant
        .post('/api/v1/exports')
        .send({ resource, format: 'csv', filters })
        .expect(202);
      const done = await finish<{ rows: number; fileId: string }>(
        tenant,
        (started.body as { taskId: string }).taskId,
      );
      const file = await tenant
        .get(`/api/v1/files/${done.fileId}/content`)
        .buffer(true)
        .parse(binary);
      return { rows: done.rows, csv: (file.body as Buffer).toString('utf8') };
    };
    const importCsv = async (
      resource: string,
      csv: string,
      mode = 'commit',
      onConflict = 'update',
    ) => {
      const res = await tenant
        .post(`/api/v1/imports?resource=${resource}&mode=${mode}&onConflict=${onConflict}`)
        .attach('file', Buffer.from(csv), { filename: 'cf.csv', contentType: 'text/csv' });
      expect(res.status).toBe(202);
      return finish<{
        rows: number;
        inserted: number;
        updated: number;
        skipped: number;
        invalid: number;
        errors: { line: number; column: string; message: string }[];
      }>(tenant, (res.body as { taskId: string }).taskId);
    };

    it('exports cf.<key> columns and an export re-imports unchanged; bad cells are reported per column', async () => {
      const tag = `rt${randomUUID().slice(0, 6)}`;
      for (const values of [
        {
          color: 'Red',
          tags: ['x', 'z'],
          weight: 2.5,
          price: '7.25',
          organic: true,
          note: ' a, "b" ',
        },
        { harvested: '2026-01-31', seen: '2026-03-01T08:00:00.000Z', site: 'https://e.x/?a=1|2' },
        {},
      ])
        expect((await product({ tags: [tag], customFields: values }, tenant)).status).toBe(201);
      const snapshot = () =>
        t.dataSource.query(
          `SELECT sku::text, custom_fields, version FROM products
            WHERE organization_id = $1 AND EXISTS (
                SELECT 1 FROM taggings g JOIN tags t ON t.id = g.tag_id
                 WHERE g.target_type = 'product' AND g.target_id = products.id AND t.name = $2)
            ORDER BY sku`,
          [tenant.organization.id, tag],
        );
      const before = await snapshot();
      const exported = await exportCsv('products', { tag });
      expect(exported.rows).toBe(3);
      const header = exported.csv.split('\n')[0];
      for (const key of [
        'color',
        'tags',
        'weight',
        'price',
        'organic',
        'harvested',
        'seen',
        'buyer',
        'site',
        'code',
        'note',
      ])
        expect(header.split(',')).toContain(`cf.${key}`);
      expect(header).not.toContain('attributes');
      expect(header).not.toContain('cf.grade'); // deactivated: not exported
      const back = await importCsv('products', exported.csv);
      expect(back).toMatchObject({ rows: 3, invalid: 0, inserted: 0, updated: 0, skipped: 3 });
      expect(await snapshot()).toEqual(before);

      // An edited cell updates that key only; bad cells are reported on their cf column.
      const lines = exported.csv.trim().split('\n');
      const columns = lines[0].split(',');
      const edited = [
        lines[0],
        ...lines.slice(1).map((line) => {
          const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
          cells[columns.indexOf('cf.weight')] = '9';
          return cells.slice(0, columns.length).join(',');
        }),
      ];
      const updated = await importCsv('products', `${edited.join('\n')}\n`);
      expect(updated).toMatchObject({ rows: 3, invalid: 0, updated: 3 });
      const after = (await snapshot()) as { custom_fields: Record<string, unknown> }[];
      expect(after.map((r) => r.custom_fields.weight)).toEqual([9, 9, 9]);
      expect(after.map((r) => r.custom_fields)).toContainEqual({
        color: 'Red',
        tags: ['x', 'z'],
        weight: 9,
        price: '7.25',
        organic: true,
        note: ' a, "b" ',
      });

      const bad = [
        'sku,name,type,cf.color,cf.weight,cf.harvested,cf.nope',
        `${tag}-B1,Bad,goods,Green,heavy,2026-02-30,`,
        `${tag}-B2,Bad,goods,,,,surprise`,
        `${tag}-B3,Good,goods,Blue,1,2026-02-28,`,
      ].join('\n');
      const result = await importCsv('products', bad, 'dry-run', 'fail');
      expect(result).toMatchObject({ rows: 3, invalid: 2 });
      expect(result.errors.map((e) => [e.line, e.column])).toEqual([
        [2, 'cf.color'],
        [2, 'cf.weight'],
        [2, 'cf.harvested'],
        [3, 'cf.nope'],
      ]);
    });

    it('contacts export and import their cf.<key> columns too', async () => {
      const email = `cf-${randomUUID().slice(0, 8)}@example.test`;
      const csv = ['kind,displayName,email,cf.birthday', `person,Grace,${email},1906-12-09`].join(
        '\n',
      );
      expect(await importCsv('contacts', csv)).toMatchObject({ rows: 1, inserted: 1, invalid: 0 });
      const [row] = await t.dataSource.query<{ id: string }[]>(
        `SELECT contact_id AS id FROM contact_emails WHERE email = $1`,
        [email],
      );
      expect((await storedValues('contacts', row.id)).custom_fields).toEqual({
        birthday: '1906-12-09',
      });
      const exported = await exportCsv('contacts', {});
      expect(exported.csv.split('\n')[0].split(',')).toContain('cf.birthday');
      expect(exported.csv).toContain('1906-12-09');
      const again = await importCsv('contacts', exported.csv);
      expect(again.invalid).toBe(0);
      expect(again.updated).toBe(0);
    });
  });
});
