import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from '../redis';

/**
 * JSON values in Redis DB `REDIS_CACHE_DB`, under `erp:cache:<module>:...`. A cache is an
 * optimisation: when Redis is down every call falls through to the loader instead of failing.
 * Namespaces are invalidated by bumping a generation number that is part of every key.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger(CacheService.name);

  constructor(private readonly redis: RedisService) {}

  private get client() {
    return this.redis.client('cache');
  }

  async getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const fullKey = `erp:cache:${key}`;
    try {
      const cached = await this.client.get(fullKey);
      if (cached !== null) return JSON.parse(cached) as T;
    } catch (error) {
      this.logger.debug(`cache read skipped: ${(error as Error).message}`);
    }
    const value = await load();
    try {
      await this.client.set(fullKey, JSON.stringify(value), 'EX', ttlSeconds);
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

  /** Invalidates every key built with the namespace's generation. Call after commit. */
  async bump(namespace: string): Promise<void> {
    try {
      await this.client.incr(`erp:cache:${namespace}:gen`);
    } catch (error) {
      this.logger.warn(`cache invalidation of ${namespace} failed: ${(error as Error).message}`);
    }
  }
}
