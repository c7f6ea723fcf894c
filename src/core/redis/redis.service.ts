import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { once } from 'node:events';
import Redis, { RedisOptions } from 'ioredis';
import { AppConfig, RedisSettings } from '../config';

export type RedisPurpose = 'cache' | 'rateLimit' | 'flags';

/** ioredis options that fail fast while Redis is down instead of queueing commands forever. */
export function redisOptions(settings: RedisSettings, db: number): RedisOptions {
  return {
    host: settings.host,
    port: settings.port,
    password: settings.password,
    db,
    keyPrefix: settings.keyPrefix || undefined,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
  };
}

/**
 * One ioredis connection per purpose (each on its own DB number, SPEC §7), created on first use
 * and closed at shutdown. Callers get errors immediately when Redis is unreachable.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly clients = new Map<RedisPurpose, Redis>();

  constructor(private readonly config: AppConfig) {}

  client(purpose: RedisPurpose): Redis {
    let client = this.clients.get(purpose);
    if (!client) {
      const db = {
        cache: this.config.redis.cacheDb,
        rateLimit: this.config.redis.rateLimitDb,
        flags: this.config.redis.flagsDb,
      }[purpose];
      client = new Redis(redisOptions(this.config.redis, db));
      client.on('error', (error: Error) => this.logger.warn(`redis(${purpose}): ${error.message}`));
      client.connect().catch(() => undefined); // reconnects by itself; commands fail fast meanwhile
      this.clients.set(purpose, client);
    }
    return client;
  }

  /**
   * Connects every client at boot (waiting at most ~1 s), so the first requests do not fail fast
   * on a connection still being set up. Boot never fails here: Redis may come later.
   */
  async onModuleInit(): Promise<void> {
    const purposes: RedisPurpose[] = ['cache', 'rateLimit', 'flags'];
    await Promise.all(purposes.map((purpose) => this.waitReady(this.client(purpose), 1_000)));
  }

  private async waitReady(client: Redis, timeoutMs: number): Promise<boolean> {
    if (client.status === 'ready') return true;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        once(client, 'ready').then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `true` when Redis answers PING within the timeout (waiting for a connection in progress). */
  async ping(timeoutMs = 1_000): Promise<boolean> {
    const client = this.client('cache');
    const answer = async (): Promise<boolean> => {
      if (client.status !== 'ready') await once(client, 'ready');
      return (await client.ping()) === 'PONG';
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([answer(), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.quit().catch(() => c.disconnect())));
    this.clients.clear();
  }
}
