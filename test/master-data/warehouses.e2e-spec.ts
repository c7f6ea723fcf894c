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
