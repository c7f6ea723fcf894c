import { CacheService } from '../../src/core/cache';
import { createTestApp, TestApp } from '../support/test-app';

describe('cache service (real Redis)', () => {
  let t: TestApp;
  let first: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    // A second API process's view: another CacheService on the same Redis and prefix.
    first = await createTestApp({
      environment: { ...t.environment, dispose: () => Promise.resolve() },
    });
  });
  afterAll(async () => {
    await first.close();
    await t.close();
  });

  const slowLoader = (calls: { n: number }, value: string) => async () => {
    calls.n += 1;
    await new Promise((resolve) => setTimeout(resolve, 150));
    return value;
  };

  it('concurrent misses of a hot key run one load, in this process and across instances', async () => {
    const a = t.app.get(CacheService);
    const b = first.app.get(CacheService);
    const calls = { n: 0 };
    const load = slowLoader(calls, 'report');
    const values = await Promise.all([
      ...Array.from({ length: 20 }, () => a.getOrLoad('test:hot', 30, load)),
      ...Array.from({ length: 20 }, () => b.getOrLoad('test:hot', 30, load)),
    ]);
    expect(new Set(values)).toEqual(new Set(['report']));
    expect(calls.n).toBe(1);
    expect(await a.getOrLoad('test:hot', 30, slowLoader(calls, 'other'))).toBe('report');
    expect(calls.n).toBe(1);
  });

  it('a bumped generation invalidates every key built with it', async () => {
    const cache = t.app.get(CacheService);
    const calls = { n: 0 };
    const key = async () => `test:gen:${await cache.generation('test-ns')}:x`;
    await cache.getOrLoad(await key(), 30, slowLoader(calls, 'v1'));
    await cache.bump('test-ns');
    expect(await cache.getOrLoad(await key(), 30, slowLoader(calls, 'v2'))).toBe('v2');
    expect(calls.n).toBe(2);
  });

  it('getOrLoadCurrent: one round trip for generation and value; a bump, even during a load, makes it stale', async () => {
    const cache = t.app.get(CacheService);
    const calls = { n: 0 };
    const get = (value: string) =>
      cache.getOrLoadCurrent('test-cur', 'test:cur:x', 30, slowLoader(calls, value));
    expect(await get('v1')).toBe('v1');
    expect(await get('ignored')).toBe('v1');
    expect(calls.n).toBe(1);

    await cache.bump('test-cur');
    expect(await get('v2')).toBe('v2');
    expect(calls.n).toBe(2);

    // A write commits and bumps while a load (of the old state) is running.
    const racing = cache.getOrLoadCurrent('test-cur', 'test:cur:y', 30, slowLoader(calls, 'old'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await cache.bump('test-cur');
    expect(await racing).toBe('old');
    expect(
      await cache.getOrLoadCurrent('test-cur', 'test:cur:y', 30, slowLoader(calls, 'new')),
    ).toBe('new');
  });
});
