import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import Redis from 'ioredis';
import { AppConfig, RedisSettings } from '../../core/config';
import { REALTIME_NAMESPACE, readersRoom, userRoom } from './rooms';

/** The pub/sub channel prefix shared by the socket.io Redis adapter and this publisher. */
export const adapterKey = (settings: RedisSettings) => `${settings.keyPrefix}socket.io`;

/** Pub/sub connections: channels ignore DB numbers and key prefixes, hence `adapterKey`. */
export function pubSubClient(settings: RedisSettings, options = { waitForRedis: false }): Redis {
  return new Redis({
    host: settings.host,
    port: settings.port,
    password: settings.password,
    maxRetriesPerRequest: options.waitForRedis ? null : 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
  });
}

/** QUIT when connected; otherwise drop the connection (QUIT would wait for a Redis that is down). */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => undefined);
  else client.disconnect();
}

export type EntityAction = 'insert' | 'update' | 'delete';

/**
 * Publishes realtime events from any process — an API instance or the worker — through Redis
 * (`@socket.io/redis-emitter`); every API instance's adapter delivers them to its own sockets.
 * Publishing never throws: with Redis down an event is logged and dropped (events are hints to
 * refetch, never the record itself).
 */
@Injectable()
export class RealtimePublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(RealtimePublisher.name);
  private readonly redis: Redis;
  private readonly emitter: Emitter;

  constructor(config: AppConfig) {
    this.redis = pubSubClient(config.redis);
    this.redis.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    // The emitter does not handle publish failures itself: a rejected publish must not crash us.
    const publisher = {
      publish: (channel: string, message: string | Buffer) =>
        this.redis.publish(channel, message).catch((error: Error) => {
          this.logger.warn(`realtime event dropped: ${error.message}`);
          return 0;
        }),
    };
    this.emitter = new Emitter(publisher, { key: adapterKey(config.redis) });
  }

  private get namespace() {
    return this.emitter.of(REALTIME_NAMESPACE);
  }

  toRoom(room: string, event: string, payload: unknown): void {
    this.namespace.to(room).emit(event, payload);
  }

  /** A notification for one user, in one organization. */
  notify(orgId: string, userId: string, payload: Record<string, unknown>): void {
    this.toRoom(userRoom(orgId, userId), 'notification', payload);
  }

  /** A committed change, to the organization's sockets allowed to read that type. */
  entityChanged(orgId: string, type: string, id: string, action: EntityAction): void {
    this.toRoom(readersRoom(orgId, type), 'entity.changed', { type, id, action });
  }

  /** Many committed changes of one type at once (an import): refetch rather than patch. */
  entitiesChanged(orgId: string, type: string, count: number): void {
    this.toRoom(readersRoom(orgId, type), 'entity.changed', { type, action: 'bulk', count });
  }

  /** Takes one user's sockets (of one organization) out of a room, on every instance. */
  leaveRoom(orgId: string, userId: string, room: string): void {
    this.namespace.in(userRoom(orgId, userId)).socketsLeave(room);
  }

  async onApplicationShutdown(): Promise<void> {
    await closeClient(this.redis);
  }
}
