import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config';
import { redisOptions, RedisService } from '../redis';

/** The namespace of everything the auth guard caches about a caller (users, API keys). */
export const PRINCIPALS_CACHE = 'principals';

/** The safety net: an entry is reloaded after this even if an invalidation was lost. */
export const LOCAL_CACHE_MAX_TTL_MS = 10_000;

/** The pub/sub channel of local-cache invalidations (the message is the namespace). */
const channelOf = (keyPrefix: string): string => `${keyPrefix}erp:local-cache`;

/**
 * Publishes an invalidation of `namespace` from a process without the Nest container (the CLI's
 * `create-admin`, `reset-admin-password`), so running API instances drop it at once. Redis down:
 * returns false (instances heal within {@link LOCAL_CACHE_MAX_TTL_MS}).
 */
export async function publishLocalCacheInvalidation(
  settings: AppConfig['redis'],
  namespace: string,
): Promise<boolean> {
  const client = new Redis({
    ...redisOptions(settings, settings.cacheDb),
    enableOfflineQueue: true,
  });
  try {
    await client.connect();
    await client.publish(channelOf(settings.keyPrefix), namespace);
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** At most this many entries per namespace (the oldest go first). */
const MAX_ENTRIES_PER_NAMESPACE = 10_000;

interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * Values kept in this process's memory, per namespace, so a steady-state request reads them with
 * no round trip at all (issue 21's read budget). Invalidation is cross-instance through Redis
 * pub/sub: `invalidate(namespace)` clears this process at once and publishes the namespace on
 * `<prefix>erp:local-cache`, which every instance (API and worker) subscribes to and clears on —
 * within milliseconds. Call it after the change has committed.
 *
 * Fail safe: the cache is used only while this process's subscription is live (connected and
 * subscribed); while it is not, every read goes to the loader, and a (re)subscription starts
 * from an empty cache, so an invalidation missed while disconnected cannot leave a stale entry.
 * Every entry also expires after at most {@link LOCAL_CACHE_MAX_TTL_MS}. A load that started
 * before an invalidation of its namespace is returned but not kept (a per-namespace epoch).
 */
@Injectable()
export class LocalCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LocalCache.name);
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly epochs = new Map<string, number>();
  private readonly channel: string;
  private subscriber?: Redis;
  private live = false;

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {
    this.channel = channelOf(config.redis.keyPrefix);
  }

  /** Subscribes (without failing boot when Redis is down: the cache stays off until it is up). */
  async onModuleInit(): Promise<void> {
    const subscriber = new Redis({
      ...redisOptions(this.config.redis, this.config.redis.cacheDb),
      enableOfflineQueue: true,
    });
    this.subscriber = subscriber;
    subscriber.on('error', (error: Error) => this.logger.debug(`subscriber: ${error.message}`));
    subscriber.on('close', () => this.goOffline());
    subscriber.on('message', (_channel: string, namespace: string) => this.clear(namespace));
    subscriber.on('ready', () => {
      subscriber
        .subscribe(this.channel)
        .then(() => {
          this.clearAll();
          this.live = true;
        })
        .catch(() => this.goOffline());
    });
    await subscriber.connect().catch(() => undefined);
    // Wait (briefly) for the subscription, so the first requests already use the cache.
    for (let i = 0; i < 20 && !this.live && subscriber.status === 'ready'; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  onApplicationShutdown(): void {
    this.live = false;
    this.subscriber?.disconnect(); // a subscriber has nothing to flush
  }

  /** `true` while invalidations from other instances reach this process. */
  get isLive(): boolean {
    return this.live;
  }

  /** The cached value (undefined: absent, expired, or the cache is off). */
  get<T>(namespace: string, key: string): T | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(namespace)?.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.get(namespace)?.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  /** The current epoch of a namespace: pass it to `set` to drop a value loaded before a clear. */
  epoch(namespace: string): number {
    return this.epochs.get(namespace) ?? 0;
  }

  /**
   * Keeps `value` for `ttlMs` (capped) unless the namespace was cleared since `epoch`; `undefined`
   * (e.g. "no such row") is never kept.
   */
  set(namespace: string, key: string, value: unknown, ttlMs: number, epoch: number): void {
    if (value === undefined || !this.live || this.epoch(namespace) !== epoch) return;
    let entries = this.entries.get(namespace);
    if (!entries) {
      entries = new Map();
      this.entries.set(namespace, entries);
    }
    if (entries.size >= MAX_ENTRIES_PER_NAMESPACE && !entries.has(key)) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(key, { value, expiresAt: Date.now() + Math.min(ttlMs, LOCAL_CACHE_MAX_TTL_MS) });
  }

  /** The cached value, or `load()`'s (kept for `ttlMs`, at most {@link LOCAL_CACHE_MAX_TTL_MS}). */
  async getOrLoad<T>(
    namespace: string,
    key: string,
    ttlMs: number,
    load: () => Promise<T>,
  ): Promise<T> {
    const cached = this.get<T>(namespace, key);
    if (cached !== undefined) return cached;
    const epoch = this.epoch(namespace);
    const value = await load();
    this.set(namespace, key, value, ttlMs, epoch);
    return value;
  }

  /**
   * Clears `namespace` in this process now and in every other instance within milliseconds (a
   * Redis PUBLISH). Call after the change committed. Redis down: logged; other instances heal
   * through their TTL (and stop caching while their own subscription is down).
   */
  async invalidate(namespace: string): Promise<void> {
    this.clear(namespace);
    try {
      await this.redis.client('cache').publish(this.channel, namespace);
    } catch (error) {
      this.logger.warn(`local cache invalidation of ${namespace} not published: ${String(error)}`);
    }
  }

  private clear(namespace: string): void {
    this.epochs.set(namespace, this.epoch(namespace) + 1);
    this.entries.delete(namespace);
  }

  private clearAll(): void {
    for (const namespace of new Set([...this.entries.keys(), ...this.epochs.keys()]))
      this.clear(namespace);
  }

  private goOffline(): void {
    this.live = false;
    this.clearAll();
  }
}
