import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../http/errors';
import { TargetDefinition, TargetRegistry } from './target-registry';

const manager = {} as EntityManager;
const ORG = '0190a5e0-0000-7000-8000-000000000001';
const LIVE = '0190a5e0-0000-7000-8000-000000000002';

const product = (): TargetDefinition => ({
  entityType: 'product',
  readPermission: 'products:read',
  updatePermission: 'products:manage',
  exists: (_m, orgId, id) => Promise.resolve(orgId === ORG && id === LIVE),
  label: () => Promise.resolve('SKU-1 · Widget'),
  path: (id) => `/api/v1/products/${id}`,
});

describe('TargetRegistry', () => {
  it('resolves a live, readable target', async () => {
    const registry = new TargetRegistry();
    registry.register(product());
    const readers = new Set(['products:read']);
    const definition = await registry.assertAccessible(manager, ORG, readers, 'product', LIVE);
    expect(definition.path(LIVE)).toBe(`/api/v1/products/${LIVE}`);
    expect(registry.types()).toEqual(['product']);
  });

  it.each([
    ['an unknown type', 'invoice', LIVE, ['products:read'], 'read'],
    ['a missing or other-tenant id', 'product', ORG, ['products:read'], 'read'],
    ['a caller without the read permission', 'product', LIVE, ['contacts:read'], 'read'],
    ['a reader asking to change it', 'product', LIVE, ['products:read'], 'update'],
  ] as const)('answers 404 for %s', async (_, type, id, permissions, access) => {
    const registry = new TargetRegistry();
    registry.register(product());
    await expect(
      registry.assertAccessible(manager, ORG, new Set(permissions), type, id, access),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets an updater change it', async () => {
    const registry = new TargetRegistry();
    registry.register(product());
    const updaters = new Set(['products:manage']);
    await expect(
      registry.assertAccessible(manager, ORG, updaters, 'product', LIVE, 'update'),
    ).resolves.toMatchObject({ entityType: 'product' });
  });

  it('assertReadable asks without the share lock and answers 404 as assertAccessible', async () => {
    const registry = new TargetRegistry();
    const exists = jest.fn((_m: EntityManager, orgId: string, id: string) =>
      Promise.resolve(orgId === ORG && id === LIVE),
    );
    registry.register({ ...product(), exists });
    const readers = new Set(['products:read']);
    await expect(
      registry.assertReadable(manager, ORG, readers, 'product', LIVE),
    ).resolves.toMatchObject({ entityType: 'product' });
    expect(exists).toHaveBeenLastCalledWith(manager, ORG, LIVE, { lock: false });
    await registry.assertAccessible(manager, ORG, readers, 'product', LIVE);
    expect(exists).toHaveBeenLastCalledWith(manager, ORG, LIVE);
    for (const [type, id, permissions] of [
      ['invoice', LIVE, readers],
      ['product', ORG, readers],
      ['product', LIVE, new Set(['contacts:read'])],
    ] as const) {
      await expect(
        registry.assertReadable(manager, ORG, permissions, type, id),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  it('refuses a type or a children consumer registered twice (a wiring bug)', () => {
    const registry = new TargetRegistry();
    registry.register(product());
    expect(() => registry.register(product())).toThrow(/registered twice/);
    const children = { name: 'comments', deleteFor: () => Promise.resolve() };
    registry.registerChildren(children);
    expect(() => registry.registerChildren(children)).toThrow(/registered twice/);
    expect(() => registry.get('invoice')).toThrow(/no target/);
  });

  it('deletes every registered child of one target, in registration order', async () => {
    const registry = new TargetRegistry();
    const calls: string[] = [];
    for (const name of ['attachments', 'comments']) {
      registry.registerChildren({
        name,
        deleteFor: (_m, orgId, type, id) => {
          calls.push(`${name}:${orgId}:${type}:${id}`);
          return Promise.resolve();
        },
      });
    }
    await registry.deleteChildren(manager, ORG, 'product', LIVE);
    expect(calls).toEqual([
      `attachments:${ORG}:product:${LIVE}`,
      `comments:${ORG}:product:${LIVE}`,
    ]);
  });
});
