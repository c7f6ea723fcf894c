import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config';
import { RedisService } from './redis.service';

/** How long `subscribe` waits for Redis before giving up on the wake-ups (the caller polls). */
const SUBSCRIBE_WAIT_MS = 2_000;

/**
 * Wake-up signals between processes over Redis pub/sub (channel `<REDIS_KEY_PREFIX>wake:<name>`):
 * the API tells the worker "there is work" (new outbox events) without PostgreSQL's `NOTIFY`,
 * which makes every notifying transaction commit one at a time (one cluster-wide lock held from
 * pre-commit to the end of the commit). A signal carries no data and may be lost (Redis down, a
 * subscriber reconnecting): every subscriber also polls, so a lost signal costs its poll interval.
 *
 * `signal` is fire-and-forget and never throws: signals of one name sent in one event-loop turn
 * go out as one PUBLISH (on the `cache` connection; channels ignore DB numbers). `subscribe` uses a
 * dedicated subscriber connection of this process, opened on first use, which reconnects and
 * re-subscribes by itself.
 */
@Injectable()
export class WakeUps implements OnApplicationShutdown {
  private readonly logger = new Logger(WakeUps.name);
  private readonly pending = new Set<string>();
  private readonly handlers = new Map<string, Set<() => void>>();
  private subscriber?: Redis;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {}

  /** The Redis channel of wake-up `name` (an identifier chosen in code). */
  channel(name: string): string {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`WakeUps: bad name ${name}`);
    return `${this.config.redis.keyPrefix}wake:${name}`;
  }

  /** Wakes every subscriber of `name`, in any process (best effort, coalesced per turn). */
  signal(name: string): void {
    const channel = this.channel(name);
    if (this.pending.has(channel)) return;
    this.pending.add(channel);
    setImmediate(() => {
      this.pending.delete(channel);
      this.redis
        .client('cache')
        .publish(channel, '')
        .catch((error: Error) => {
          this.logger.debug(`wake-up ${name} not sent (${error.message}): subscribers poll`);
        });
    });
  }

  /**
   * Runs `onWake` on every signal of `name` until the returned function is called. Resolves once
   * subscribed, or after ~2 s without Redis (the subscription then starts when Redis comes).
   */
  async subscribe(name: string, onWake: () => void): Promise<() => void> {
    const channel = this.channel(name);
    const subscriber = this.subscriberClient();
    let handlers = this.handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(channel, handlers);
      const subscribed = subscriber.subscribe(channel).catch((error: Error) => {
        this.logger.warn({ error: error.message }, `wake-up ${name}: not subscribed, polling only`);
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        subscribed,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    handlers.add(onWake);
    return () => {
      handlers.delete(onWake);
    };
  }

  private subscriberClient(): Redis {
    if (this.subscriber) return this.subscriber;
    const settings = this.config.redis;
    const subscriber = new Redis({
      host: settings.host,
      port: settings.port,
      password: settings.password,
      // Commands wait for a connection (a subscribe before Redis is up goes out once it is).
      maxRetriesPerRequest: null,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    });
    subscriber.on('error', (error: Error) => this.logger.warn(`redis(wake-ups): ${error.message}`));
    subscriber.on('message', (channel: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        try {
          handler();
        } catch (error) {
          this.logger.warn({ error: (error as Error).message }, 'wake-up handler failed');
        }
      }
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  async onApplicationShutdown(): Promise<void> {
    this.handlers.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    if (subscriber.status === 'ready') await subscriber.quit().catch(() => undefined);
    else subscriber.disconnect();
  }
}
