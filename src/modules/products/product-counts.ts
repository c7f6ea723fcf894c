import { Injectable } from '@nestjs/common';
import { CacheService } from '../../core/cache';
import { Conditions, conditionsKey } from '../../core/database';

/** How long a cached count may live; a missed invalidation (Redis blip) heals within this. */
const COUNT_TTL_SECONDS = 60;

/**
 * Exact list totals without counting on every request: a count is cached under the
 * organization's product write generation, which every committed product write bumps, so a
 * cached total is never older than the last write (SPEC §8). Redis down: counted every time.
 */
@Injectable()
export class ProductCounts {
  constructor(private readonly cache: CacheService) {}

  async exact(orgId: string, where: Conditions, load: () => Promise<number>): Promise<number> {
    return this.cache.getOrLoadCurrent(
      `products:${orgId}`,
      `products:count:${orgId}:${conditionsKey(where)}`,
      COUNT_TTL_SECONDS,
      load,
    );
  }

  /** Runs a write, then (after its commit) invalidates the organization's cached counts. */
  async afterWrite<T>(orgId: string, write: () => Promise<T>): Promise<T> {
    const result = await write();
    await this.invalidate(orgId);
    return result;
  }

  invalidate(orgId: string): Promise<void> {
    return this.cache.bump(`products:${orgId}`);
  }
}
