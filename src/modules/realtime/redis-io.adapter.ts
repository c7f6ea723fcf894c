import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { AppConfig } from '../../core/config';
import { adapterKey, closeClient, pubSubClient } from './realtime.publisher';

/**
 * socket.io on the API's HTTP server with the Redis adapter: a room emit on one instance reaches
 * the room's sockets on every instance (and events published by the worker reach them all).
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly clients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const allowed = new Set(this.config.app.corsAllowedOrigins);
    const server = super.createIOServer(port, {
      ...options,
      cors: {
        origin: (
          origin: string | undefined,
          callback: (error: Error | null, ok?: boolean) => void,
        ) => callback(null, !origin || allowed.has(origin)),
      },
    }) as Server;
    // Commands wait for Redis instead of failing: the adapter does not handle rejected ones.
    const pub = pubSubClient(this.config.redis, { waitForRedis: true });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) client.on('error', () => undefined); // reconnects by itself
    this.clients.push(pub, sub);
    server.adapter(createAdapter(pub, sub, { key: adapterKey(this.config.redis) }));
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.all(this.clients.map(closeClient));
  }
}
