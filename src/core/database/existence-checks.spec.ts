import type { EntityManager } from 'typeorm';
import { ExistenceChecks } from './existence-checks';

class Targets extends ExistenceChecks<'product' | 'contact'> {}

describe('ExistenceChecks', () => {
  const manager = {} as EntityManager;

  it('asks the registered owner with the manager, organization and id', async () => {
    const targets = new Targets();
    const calls: unknown[][] = [];
    targets.register({
      type: 'product',
      exists: (m, orgId, id) => {
        calls.push([m, orgId, id]);
        return Promise.resolve(id === 'p1');
      },
    });
    expect(targets.has('product')).toBe(true);
    expect(targets.has('contact')).toBe(false);
    await expect(targets.exists(manager, 'org', 'product', 'p1')).resolves.toBe(true);
    await expect(targets.exists(manager, 'org', 'product', 'p2')).resolves.toBe(false);
    expect(calls).toEqual([
      [manager, 'org', 'p1'],
      [manager, 'org', 'p2'],
    ]);
  });

  it('refuses a second check for a type and a type nobody registered (wiring bugs)', () => {
    const targets = new Targets();
    const check = { type: 'product' as const, exists: () => Promise.resolve(true) };
    targets.register(check);
    expect(() => targets.register(check)).toThrow('Targets: "product" is registered twice');
    expect(() => targets.exists(manager, 'org', 'contact', 'c1')).toThrow(
      'Targets: no check registered for "contact"',
    );
  });
});
