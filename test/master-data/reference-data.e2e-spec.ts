import { randomBytes } from 'node:crypto';
import { ISO_4217 } from '../../src/modules/currencies/iso-4217';
import { createUser } from '../factories/identity.factory';
import { Actor, actorFor, addActor, createTenant, login } from '../support/auth';
import { ContractActors, describeResourceContract } from '../support/resource-contract';
import { createTestApp, TestApp } from '../support/test-app';

const ISO_CODES = new Set(ISO_4217.map(([c]) => c));
let sequence = randomBytes(2).readUInt16BE() % 676;
/** A fresh 3-letter currency code: `Q` + a running pair of letters, skipping real ISO codes. */
function freshCurrencyCode(): string {
  for (;;) {
    sequence = (sequence + 1) % 676;
    const code = `Q${String.fromCharCode(65 + Math.floor(sequence / 26))}${String.fromCharCode(65 + (sequence % 26))}`;
    if (!ISO_CODES.has(code)) return code;
  }
}
const freshUnitCode = () => `u${randomBytes(6).toString('hex')}`.slice(0, 16);

describe('currencies and units of measure (global reference data)', () => {
  let t: TestApp;
  let superuser: Actor;
  let owner: Actor;
  let viewer: Actor;
  let stranger: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    const admin = await createUser(t.dataSource, { isSuperuser: true });
    superuser = actorFor(t, admin, owner.organization, await login(t, admin.email, admin.password));
    stranger = await addActor(t, owner.organization, []);
  });
  afterAll(async () => t.close());

  const actors = (): ContractActors => ({ t, writer: superuser, reader: viewer, stranger });

  describe('currencies', () => {
    it('are seeded from ISO 4217 with their minor units', async () => {
      const page = await viewer.get('/api/v1/currencies?size=100&q=dinar').expect(200);
      const dinars = (page.body as { items: { code: string; minorUnits: number }[] }).items;
      expect(dinars.find((c) => c.code === 'KWD')?.minorUnits).toBe(3);
      expect((await viewer.get('/api/v1/currencies/JPY').expect(200)).body).toMatchObject({
        code: 'JPY',
        minorUnits: 0,
        isActive: true,
      });
      expect((await viewer.get('/api/v1/currencies/XAU').expect(200)).body).toMatchObject({
        minorUnits: null,
      });
      const all = await viewer.get('/api/v1/currencies?size=1').expect(200);
      expect((all.body as { total: number }).total).toBeGreaterThanOrEqual(170);
    });

    it('an Owner of a tenant cannot change global data: only superusers can', async () => {
      const res = await owner.patch('/api/v1/currencies/EUR').send({ isActive: false });
      expect(res.status).toBe(403);
      const role = await owner
        .post('/api/v1/roles')
        .send({ name: 'Sneaky', permissions: ['currencies:manage'] });
      expect(role.status).toBe(422);
    });

    it('a product write sees a currency or unit change at once (the checks are cached in memory)', async () => {
      const currency = freshCurrencyCode();
      const unit = freshUnitCode();
      const made = await superuser
        .post('/api/v1/currencies')
        .send({ code: currency, name: 'Cache probe', minorUnits: 2 })
        .expect(201);
      const unitMade = await superuser
        .post('/api/v1/units-of-measure')
        .send({ code: unit, name: 'Cache probe', type: 'count', factor: '12' })
        .expect(201);
      let n = 0;
      const product = () =>
        owner.post('/api/v1/products').send({
          sku: `CACHE-${currency}-${(n += 1)}`,
          name: 'Probe',
          type: 'goods',
          uomCode: unit,
          price: '1.00',
          currencyCode: currency,
        });
      expect((await product()).status).toBe(201); // both answers now cached as active
      await superuser
        .patch(`/api/v1/currencies/${currency}`)
        .set('If-Match', `"${(made.body as { version: number }).version}"`)
        .send({ isActive: false })
        .expect(200);
      const refused = await product();
      expect(refused.status).toBe(422);
      expect(JSON.stringify(refused.body)).toContain('/currencyCode');
      await superuser
        .patch(`/api/v1/units-of-measure/${unit}`)
        .set('If-Match', `"${(unitMade.body as { version: number }).version}"`)
        .send({ isActive: false })
        .expect(200);
      const refusedUnit = await owner.post('/api/v1/products').send({
        sku: `CACHE-${currency}-u`,
        name: 'Probe',
        type: 'goods',
        uomCode: unit,
      });
      expect(refusedUnit.status).toBe(422);
      expect(JSON.stringify(refusedUnit.body)).toContain('/uomCode');
    });

    describeResourceContract(actors, {
      url: '/api/v1/currencies',
      key: 'code',
      table: 'currencies',
      auditType: 'currency',
      global: true,
      create: () => ({ code: freshCurrencyCode(), name: 'Test currency', minorUnits: 2 }),
      invalid: {
        body: { code: 'eur', name: '', minorUnits: 7 },
        pointers: ['/code', '/name', '/minorUnits'],
      },
      update: { body: { isActive: false }, expect: { isActive: false } },
      listFilter: (row) => `?q=${String(row.code)}`,
    });
  });

  describe('units of measure', () => {
    it('converts exactly between units of one type and refuses other types', async () => {
      const convert = async (from: string, to: string, quantity: string) =>
        (
          await viewer
            .get(`/api/v1/units-of-measure/convert?from=${from}&to=${to}&quantity=${quantity}`)
            .expect(200)
        ).body as { result: string };
      expect((await convert('lb', 'kg', '2.5')).result).toBe('1.133980925');
      expect((await convert('in', 'cm', '1')).result).toBe('2.54');
      expect((await convert('dozen', 'pc', '0.1')).result).toBe('1.2');
      expect((await convert('kg', 'g', '0.001')).result).toBe('1');
      expect((await convert('min', 's', '1')).result).toBe('60');
      expect((await convert('pc', 'dozen', '1')).result).toBe('0.083333333333');

      const cross = await viewer.get('/api/v1/units-of-measure/convert?from=kg&to=m&quantity=1');
      expect(cross.status).toBe(422);
      expect(cross.body).toMatchObject({ errors: [{ code: 'incompatible_units' }] });
      const bad = await viewer.get('/api/v1/units-of-measure/convert?from=kg&quantity=1e3');
      expect(bad.status).toBe(422);
      const params = (bad.body as { errors: { source: { parameter: string } }[] }).errors
        .map((e) => e.source.parameter)
        .sort();
      expect(params).toEqual(['quantity', 'to']);
      expect(
        (await viewer.get('/api/v1/units-of-measure/convert?from=kg&to=nope&quantity=1')).status,
      ).toBe(404);
    });

    it('allows one base unit (factor 1) per type', async () => {
      const res = await superuser
        .post('/api/v1/units-of-measure')
        .send({ code: 'kilo2', name: 'Another kilogram', type: 'mass', factor: '1' });
      expect(res.status).toBe(409);
    });

    describeResourceContract(actors, {
      url: '/api/v1/units-of-measure',
      key: 'code',
      table: 'units_of_measure',
      auditType: 'unit_of_measure',
      global: true,
      create: () => ({
        code: freshUnitCode(),
        name: 'Test unit',
        type: 'length',
        factor: '0.201168',
      }),
      invalid: {
        body: { code: '1x', name: 'x', type: 'speed', factor: '-1' },
        pointers: ['/code', '/type', '/factor'],
      },
      update: { body: { factor: '20.1168' }, expect: { factor: '20.1168' } },
      listFilter: (row) => `?q=${String(row.code)}`,
    });
  });
});
