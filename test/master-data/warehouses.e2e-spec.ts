import { randomUUID } from 'node:crypto';
import type { Actor } from '../support/auth';
import {
  ContractActors,
  describeResourceContract,
  tenantActors,
} from '../support/resource-contract';
import { createTestApp, TestApp } from '../support/test-app';

const code = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const address = { line1: '1 Rue de Rivoli', city: 'Paris', postalCode: '75001', countryCode: 'FR' };

describe('warehouses and stock locations', () => {
  let t: TestApp;
  let actors: ContractActors;
  let owner: Actor;
  let warehouse: string;

  const post = async (url: string, body: Record<string, unknown>) => {
    const res = await owner.post(url).send(body);
    if (res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; path: string };
  };

  beforeAll(async () => {
    t = await createTestApp();
    actors = await tenantActors(t);
    owner = actors.writer;
    warehouse = (await post('/api/v1/warehouses', { code: code('W'), name: 'Main' })).id;
  });
  afterAll(async () => t.close());

  describe('warehouses', () => {
    describeResourceContract(() => actors, {
      url: '/api/v1/warehouses',
      table: 'warehouses',
      auditType: 'warehouse',
      create: () => ({ code: code('WH'), name: 'Paris north', address }),
      invalid: {
        body: { code: '', name: 'x', address: { line1: '', city: 'Paris', countryCode: 'France' } },
        pointers: ['/code', '/address/line1', '/address/countryCode'],
      },
      update: {
        body: { address: { ...address, city: 'Lyon' } },
        expect: { address: { ...address, city: 'Lyon', line2: null, region: null } },
      },
      listFilter: () => '?countryCode=FR',
    });

    /** Issue 14, finding 9: a PATCH that changes nothing is not a change. */
    it('PATCH {"isActive": null} and a null body are 422; {} is 200 with the same version; none is audited', async () => {
      const created = await post('/api/v1/warehouses', { code: code('NOOP'), name: 'No-op' });
      const state = async () =>
        (
          await t.dataSource.query<{ version: number; is_active: boolean; updated_at: Date }[]>(
            'SELECT version, is_active, updated_at FROM warehouses WHERE id = $1',
            [created.id],
          )
        )[0];
      const audits = async () =>
        (
          await t.dataSource.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM audit_logs WHERE entity_type = 'warehouse' AND entity_id = $1`,
            [created.id],
          )
        )[0].n;
      const before = await state();
      const auditsBefore = await audits();
      expect(before.version).toBe(1);

      const nulled = await owner
        .patch(`/api/v1/warehouses/${created.id}`)
        .send({ isActive: null })
        .expect(422);
      expect(nulled.body).toMatchObject({
        errors: [{ code: 'validation_error', source: { pointer: '/isActive' } }],
      });
      const nullBody = await owner
        .patch(`/api/v1/warehouses/${created.id}`)
        .set('Content-Type', 'application/json')
        .send('null')
        .expect(422);
      expect(nullBody.body).toMatchObject({ errors: [{ code: 'validation_error' }] });
      expect(await state()).toEqual(before);
      expect(await audits()).toBe(auditsBefore);

      for (const body of [{}, { isActive: true }, { name: 'No-op' }]) {
        const res = await owner.patch(`/api/v1/warehouses/${created.id}`).send(body).expect(200);
        expect(res.body).toMatchObject({ version: 1, isActive: true, name: 'No-op' });
        expect(res.headers.etag).toBe('"1"');
      }
      expect(await state()).toEqual(before);
      expect(await audits()).toBe(auditsBefore);

      // A real change still bumps the version once and is audited once.
      await owner.patch(`/api/v1/warehouses/${created.id}`).send({ isActive: false }).expect(200);
      expect(await state()).toMatchObject({ version: 2, is_active: false });
      expect(await audits()).toBe(auditsBefore + 1);
    });

    /** Issue 14: list filters compare text normalised as stored codes and names are. */
    it('?q= with surrounding spaces, NFD or a zero-width space finds the NFC stored code and name', async () => {
      const stored = code('CAFE');
      await post('/api/v1/warehouses', { code: stored, name: `Entrepôt Café ${stored}` });
      const find = async (q: string) =>
        (
          (await owner.get(`/api/v1/warehouses?q=${encodeURIComponent(q)}`).expect(200)).body as {
            items: { code: string }[];
          }
        ).items.map((w) => w.code);
      expect(await find(`  ${stored}  `)).toEqual([stored]);
      expect(await find(`Café ${stored}`.normalize('NFD'))).toEqual([stored]);
      expect(await find(`${stored.slice(0, 3)}\u200b${stored.slice(3)}`)).toEqual([stored]);
      expect(await find('  entrepot   cafe\u0301 ')).toContain(stored);
    });
  });

  describe('stock locations', () => {
    describeResourceContract(() => actors, {
      url: '/api/v1/stock-locations',
      table: 'stock_locations',
      auditType: 'stock_location',
      create: () => ({ warehouseId: warehouse, code: code('L'), name: 'Bin' }),
      invalid: {
        body: { warehouseId: 'main', code: 'a b', name: '', allowNegative: 'yes' },
        pointers: ['/warehouseId', '/code', '/name', '/allowNegative'],
      },
      update: { body: { allowNegative: true }, expect: { allowNegative: true } },
      listFilter: () => `?warehouseId=${warehouse}`,
    });

    it('builds a tree inside one warehouse; codes unique per warehouse; moves without cycles', async () => {
      const zone = await post('/api/v1/stock-locations', {
        warehouseId: warehouse,
        code: code('Z'),
        name: 'Zone',
      });
      const binCode = code('B');
      const bin = await post('/api/v1/stock-locations', {
        warehouseId: warehouse,
        parentId: zone.id,
        code: binCode,
        name: 'Bin',
      });
      expect(bin.path).toBe(`${zone.path}${bin.id}/`);
      const clash = await owner
        .post('/api/v1/stock-locations')
        .send({ warehouseId: warehouse, code: binCode.toLowerCase(), name: 'Again' });
      expect(clash.status).toBe(409);
      expect(clash.body).toMatchObject({ errors: [{ source: { pointer: '/code' } }] });

      const other = (await post('/api/v1/warehouses', { code: code('W2'), name: 'Other' })).id;
      await post('/api/v1/stock-locations', {
        warehouseId: other,
        code: binCode,
        name: 'Same code elsewhere',
      });
      const crossParent = await owner
        .post('/api/v1/stock-locations')
        .send({ warehouseId: other, parentId: zone.id, code: code('X'), name: 'x' });
      expect(crossParent.body).toMatchObject({ errors: [{ code: 'invalid_parent' }] });

      const cycle = await owner
        .post(`/api/v1/stock-locations/${zone.id}/move`)
        .send({ parentId: bin.id });
      expect(cycle.body).toMatchObject({ errors: [{ code: 'tree_cycle' }] });
      const top = await owner
        .post(`/api/v1/stock-locations/${bin.id}/move`)
        .send({ parentId: null });
      expect(top.body).toMatchObject({ parentId: null, depth: 0 });

      expect((await owner.delete(`/api/v1/warehouses/${other}`)).status).toBe(409);
      const foreign = await actors
        .otherTenant!.post('/api/v1/stock-locations')
        .send({ warehouseId: warehouse, code: code('F'), name: 'x' });
      expect(foreign.body).toMatchObject({ errors: [{ code: 'invalid_warehouse' }] });
    });
  });
});
