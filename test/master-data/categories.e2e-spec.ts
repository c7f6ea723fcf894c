import { randomUUID } from 'node:crypto';
import type { Actor } from '../support/auth';
import {
  ContractActors,
  describeResourceContract,
  tenantActors,
} from '../support/resource-contract';
import { createTestApp, TestApp } from '../support/test-app';

interface Category {
  id: string;
  name: string;
  parentId: string | null;
  path: string;
  depth: number;
  version: number;
}

describe('categories', () => {
  let t: TestApp;
  let actors: ContractActors;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    actors = await tenantActors(t);
    owner = actors.writer;
  });
  afterAll(async () => t.close());

  const create = async (body: Record<string, unknown>) => {
    const res = await owner.post('/api/v1/categories').send(body);
    expect(res.status).toBe(201);
    return res.body as Category;
  };

  describeResourceContract(() => actors, {
    url: '/api/v1/categories',
    table: 'categories',
    auditType: 'category',
    create: () => ({ type: 'product', name: `Cat ${randomUUID().slice(0, 8)}` }),
    invalid: {
      body: { type: 'planet', name: '', parentId: 'nope' },
      pointers: ['/type', '/name', '/parentId'],
    },
    update: { body: { name: 'Renamed category' }, expect: { name: 'Renamed category' } },
    listFilter: () => '?type=product',
  });

  it('keeps names unique per parent (409 naming name), and allows the same name elsewhere', async () => {
    const root = await create({ type: 'product', name: 'Drinks' });
    await create({ type: 'product', name: 'Tea', parentId: root.id });
    const clash = await owner
      .post('/api/v1/categories')
      .send({ type: 'product', name: 'TEA', parentId: root.id });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({
      errors: [{ code: 'conflict', source: { pointer: '/name' } }],
    });
    await create({ type: 'product', name: 'Tea' });
    await create({ type: 'contact', name: 'Drinks' });
  });

  it('moves a subtree (paths and depths follow) and refuses cycles and wrong-type parents', async () => {
    const a = await create({ type: 'product', name: 'A' });
    const b = await create({ type: 'product', name: 'B', parentId: a.id });
    const c = await create({ type: 'product', name: 'C', parentId: b.id });
    const x = await create({ type: 'product', name: 'X' });

    const cycle = await owner.post(`/api/v1/categories/${a.id}/move`).send({ parentId: c.id });
    expect(cycle.status).toBe(422);
    expect(cycle.body).toMatchObject({ errors: [{ code: 'tree_cycle' }] });
    const contactCategory = await create({ type: 'contact', name: 'Suppliers' });
    const wrongType = await owner
      .post(`/api/v1/categories/${b.id}/move`)
      .send({ parentId: contactCategory.id });
    expect(wrongType.body).toMatchObject({ errors: [{ code: 'invalid_parent' }] });

    const moved = await owner.post(`/api/v1/categories/${b.id}/move`).send({ parentId: x.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ parentId: x.id, depth: 1, path: `/${x.id}/${b.id}/` });
    const child = (await owner.get(`/api/v1/categories/${c.id}`).expect(200)).body as Category;
    expect(child).toMatchObject({ depth: 2, path: `/${x.id}/${b.id}/${c.id}/`, version: 1 });

    const toRoot = await owner.post(`/api/v1/categories/${b.id}/move`).send({ parentId: null });
    expect(toRoot.body).toMatchObject({ parentId: null, depth: 0, path: `/${b.id}/` });

    const inUse = await owner.delete(`/api/v1/categories/${b.id}`);
    expect(inUse.status).toBe(409);
    const other = actors.otherTenant!;
    const foreignParent = await other
      .post('/api/v1/categories')
      .send({ type: 'product', name: 'Theirs', parentId: a.id });
    expect(foreignParent.body).toMatchObject({ errors: [{ code: 'invalid_parent' }] });
  });
});
