import { randomUUID } from 'node:crypto';
import type { Actor } from '../support/auth';
import {
  ContractActors,
  describeResourceContract,
  tenantActors,
} from '../support/resource-contract';
import { createTestApp, TestApp } from '../support/test-app';

const code = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

describe('tax jurisdictions, categories and rates', () => {
  let t: TestApp;
  let actors: ContractActors;
  let owner: Actor;
  let country: string;
  let standard: string;

  const post = async (url: string, body: Record<string, unknown>) => {
    const res = await owner.post(url).send(body);
    if (res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  };

  beforeAll(async () => {
    t = await createTestApp();
    actors = await tenantActors(t);
    owner = actors.writer;
    country = await post('/api/v1/tax-jurisdictions', {
      code: code('FR'),
      name: 'France',
      countryCode: 'FR',
    });
    standard = await post('/api/v1/tax-categories', { code: code('std'), name: 'Standard' });
  });
  afterAll(async () => t.close());

  describe('jurisdictions', () => {
    describeResourceContract(() => actors, {
      url: '/api/v1/tax-jurisdictions',
      table: 'tax_jurisdictions',
      auditType: 'tax_jurisdiction',
      create: () => ({ code: code('J'), name: 'Somewhere', countryCode: 'DE' }),
      invalid: {
        body: { code: '', name: 'x'.repeat(101), countryCode: 'deu' },
        pointers: ['/code', '/name', '/countryCode'],
      },
      update: { body: { name: 'Elsewhere' }, expect: { name: 'Elsewhere' } },
    });
  });

  describe('categories', () => {
    describeResourceContract(() => actors, {
      url: '/api/v1/tax-categories',
      table: 'tax_categories',
      auditType: 'tax_category',
      create: () => ({ code: code('C'), name: 'Reduced' }),
      invalid: { body: { code: 'a b', name: '' }, pointers: ['/code', '/name'] },
      update: {
        body: { description: 'Food and books' },
        expect: { description: 'Food and books' },
      },
    });
  });

  describe('rates', () => {
    let year = 2000;
    describeResourceContract(() => actors, {
      url: '/api/v1/tax-rates',
      table: 'tax_rates',
      auditType: 'tax_rate',
      // Each rate gets its own year, so contract rows never overlap one another.
      create: () => {
        year += 1;
        return {
          jurisdictionId: country,
          taxCategoryId: standard,
          name: 'VAT',
          rate: '0.2',
          validFrom: `${year}-01-01`,
          validTo: `${year + 1}-01-01`,
        };
      },
      invalid: {
        body: { jurisdictionId: 'x', name: '', rate: '1.5', validFrom: '01/01/2026' },
        pointers: ['/jurisdictionId', '/taxCategoryId', '/name', '/rate', '/validFrom'],
      },
      update: { body: { rate: '0.055' }, expect: { rate: '0.055' } },
    });

    it('refuses an overlapping validity with 409 from the exclusion constraint, nothing written', async () => {
      const category = await post('/api/v1/tax-categories', { code: code('ovl'), name: 'Overlap' });
      const base = { jurisdictionId: country, taxCategoryId: category, name: 'VAT', rate: '0.2' };
      await post('/api/v1/tax-rates', { ...base, validFrom: '2024-01-01', validTo: '2025-01-01' });
      await post('/api/v1/tax-rates', { ...base, validFrom: '2025-01-01' }); // adjacent: fine

      const overlap = await owner
        .post('/api/v1/tax-rates')
        .send({ ...base, rate: '0.21', validFrom: '2024-06-01', validTo: '2024-07-01' });
      expect(overlap.status).toBe(409);
      expect(overlap.body).toMatchObject({
        errors: [
          { status: '409', code: 'conflict', meta: { constraint: 'ex_tax_rates_validity' } },
        ],
      });
      const openEnded = await owner
        .post('/api/v1/tax-rates')
        .send({ ...base, validFrom: '2030-01-01' });
      expect(openEnded.status).toBe(409);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM tax_rates WHERE tax_category_id = $1',
        [category],
      );
      expect(n).toBe(2);

      const backwards = await owner
        .post('/api/v1/tax-rates')
        .send({ ...base, validFrom: '2020-02-01', validTo: '2020-01-01' });
      expect(backwards.body).toMatchObject({ errors: [{ code: 'invalid_range' }] });
      const impossible = await owner
        .post('/api/v1/tax-rates')
        .send({ ...base, validFrom: '2019-02-30', validTo: '2019-03-01' });
      expect(impossible.status).toBe(422);
    });

    it('looks up the rate in force on a date, falling back to the parent jurisdiction', async () => {
      const category = await post('/api/v1/tax-categories', { code: code('lk'), name: 'Lookup' });
      const region = await post('/api/v1/tax-jurisdictions', {
        code: code('FR-IDF'),
        name: 'Île-de-France',
        parentId: country,
      });
      const base = { taxCategoryId: category, name: 'VAT' };
      const old = await post('/api/v1/tax-rates', {
        ...base,
        jurisdictionId: country,
        rate: '0.196',
        validFrom: '2000-01-01',
        validTo: '2014-01-01',
      });
      const current = await post('/api/v1/tax-rates', {
        ...base,
        jurisdictionId: country,
        rate: '0.2',
        validFrom: '2014-01-01',
      });
      const local = await post('/api/v1/tax-rates', {
        ...base,
        jurisdictionId: region,
        rate: '0.25',
        validFrom: '2026-01-01',
      });
      const lookup = (jurisdictionId: string, date: string) =>
        owner.get(
          `/api/v1/tax-rates/lookup?jurisdictionId=${jurisdictionId}&taxCategoryId=${category}&date=${date}`,
        );
      expect((await lookup(country, '2013-12-31')).body).toMatchObject({ id: old, rate: '0.196' });
      expect((await lookup(country, '2014-01-01')).body).toMatchObject({ id: current });
      expect((await lookup(region, '2020-05-05')).body).toMatchObject({ id: current });
      expect((await lookup(region, '2026-05-05')).body).toMatchObject({ id: local, rate: '0.25' });
      const none = await lookup(country, '1999-01-01');
      expect(none.status).toBe(404);
      expect(none.body).toMatchObject({ errors: [{ code: 'no_tax_rate' }] });
      const bad = await owner.get('/api/v1/tax-rates/lookup?jurisdictionId=x&date=soon');
      expect(bad.status).toBe(422);

      const active = await owner.get(
        `/api/v1/tax-rates?taxCategoryId=${category}&activeOn=2026-06-01`,
      );
      expect((active.body as { items: { id: string }[] }).items.map((r) => r.id).sort()).toEqual(
        [current, local].sort(),
      );
      const foreign = await actors.otherTenant!.post('/api/v1/tax-rates').send({
        ...base,
        jurisdictionId: country,
        rate: '0.1',
        validFrom: '2040-01-01',
      });
      expect(foreign.body).toMatchObject({
        errors: [{ code: 'invalid_reference', source: { pointer: '/jurisdictionId' } }],
      });
    });
  });
});
