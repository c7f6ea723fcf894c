import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from '../redis';
import { LocalCache } from './local-cache';

/**
 * JSON values in Redis DB `REDIS_CACHE_DB`, under `erp:cache:<module>:...`. A cache is an
 * optimisation: when Redis is down every call falls through to the loader instead of failing.
 * Namespaces are invalidated by bumping a generation number that is part of every key.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger(CacheService.name);
  /** Loads in progress in this process, by key: concurrent misses share one load. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: RedisService,
    private readonly local: LocalCache,
  ) {}

  private get client() {
    return this.redis.client('cache');
  }

  /**
   * The cached value, or `load()`'s, cached for `ttlSeconds`. Stampede protection for hot keys:
   * concurrent misses in this process share one load, and across processes the first to take a
   * short Redis lock loads while the others re-read the cache for up to ~1 s before loading anyway.
   */
  async getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const fullKey = `erp:cache:${key}`;
    const cached = await this.read<T>(fullKey);
    if (cached !== undefined) return cached;
    const pending = this.inFlight.get(fullKey) as Promise<T> | undefined;
    if (pending) return pending;
    const loading = this.loadOnce(fullKey, ttlSeconds, load).finally(() =>
      this.inFlight.delete(fullKey),
    );
    this.inFlight.set(fullKey, loading);
    return loading;
  }

  /**
   * Like getOrLoad, for a value that a namespace's generation invalidates: the generation and the
   * value are read in one round trip (MGET), and the value stores the generation it was loaded
   * under, so a bump — even one racing this load — makes it stale at once. In front of Redis, the
   * value is kept in this process's memory ({@link LocalCache}, namespace `namespace`), which
   * `bump` clears here and, through pub/sub, in every instance: a steady-state read makes no
   * round trip at all.
   */
  async getOrLoadCurrent<T>(
    namespace: string,
    key: string,
    ttlSeconds: number,
    load: () => Promise<T>,
  ): Promise<T> {
    const local = this.local.get<T>(namespace, key);
    if (local !== undefined) return local;
    const epoch = this.local.epoch(namespace);
    const value = await this.readCurrent(namespace, key, ttlSeconds, load);
    this.local.set(namespace, key, value, ttlSeconds * 1000, epoch);
    return value;
  }

  private async readCurrent<T>(
    namespace: string,
    key: string,
    ttlSeconds: number,
    load: () => Promise<T>,
  ): Promise<T> {
    const fullKey = `erp:cache:${key}`;
    let generation: string;
    try {
      const [gen, raw] = await this.client.mget(`erp:cache:${namespace}:gen`, fullKey);
      generation = gen ?? '0';
      const entry = raw === null ? undefined : (JSON.parse(raw) as { g: string; v: T });
      if (entry?.g === generation) return entry.v;
    } catch (error) {
      this.logger.debug(`cache read skipped: ${(error as Error).message}`);
      return load(); // Redis down: nothing cached can be trusted, nothing to store
    }
    return this.getOrLoad(`${key}@${generation}`, ttlSeconds, async () => ({
      g: generation,
      v: await load(),
    })).then(async (entry) => {
      // Keep the one key readers look up current (the @generation key only coordinates loads).
      await this.client
        .set(fullKey, JSON.stringify(entry), 'EX', ttlSeconds)
        .catch(() => undefined);
      return entry.v;
    });
  }

  private async read<T>(fullKey: string): Promise<T | undefined> {
    try {
      const cached = await this.client.get(fullKey);
      return cached === null ? undefined : (JSON.parse(cached) as T);
    } catch (error) {
      this.logger.debug(`cache read skipped: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async loadOnce<T>(
    fullKey: string,
    ttlSeconds: number,
    load: () => Promise<T>,
  ): Promise<T> {
    let locked = true;
    try {
      locked = (await this.client.set(`${fullKey}:lock`, '1', 'PX', 2_000, 'NX')) === 'OK';
    } catch {
      // Redis down: load, nothing to coordinate with.
    }
    if (!locked) {
      for (let i = 0; i < 20; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const value = await this.read<T>(fullKey);
        if (value !== undefined) return value;
      }
    }
    const value = await load();
    try {
      await this.client.set(fullKey, JSON.stringify(value), 'EX', ttlSeconds);
      if (locked) await this.client.del(`${fullKey}:lock`);
    } catch {
      // Redis down: the value is still correct, just not cached.
    }
    return value;
  }

  /** The current generation of a namespace (0 when unknown or Redis is down). */
  async generation(namespace: string): Promise<string> {
    try {
      return (await this.client.get(`erp:cache:${namespace}:gen`)) ?? '0';
    } catch {
      return 'offline';
    }
  }

  /**
   * Invalidates every key built with the namespace's generation, and the namespace's in-memory
   * copies in every instance (after the generation moved, so a reload cannot find the old value).
   * Call after commit.
   */
  async bump(namespace: string): Promise<void> {
    try {
      await this.client.incr(`erp:cache:${namespace}:gen`);
    } catch (error) {
      this.logger.warn(`cache invalidation of ${namespace} failed: ${(error as Error).message}`);
    }
    await this.local.invalidate(namespace);
  }
}
