import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Fastify, { FastifyInstance } from 'fastify';
import { AppConfig } from '../config';
import { ReadinessService } from './readiness.service';

/**
 * The worker has no API, but operators still need to probe it: a tiny HTTP server on WORKER_PORT
 * with the same `/healthz/live` and `/healthz/ready` contract as the API.
 */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHealthServer.name);
  private server?: FastifyInstance;

  constructor(
    private readonly config: AppConfig,
    private readonly readiness: ReadinessService,
  ) {}

  /** The port actually bound (differs from WORKER_PORT when that is 0, as in tests). */
  get port(): number {
    const address = this.server?.server.address();
    return typeof address === 'object' && address ? address.port : this.config.app.workerPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = Fastify({ logger: false });
    server.get('/healthz/live', () => ({ status: 'alive' }));
    server.get('/healthz/ready', async (_request, reply) => {
      const readiness = await this.readiness.check();
      if (readiness.status === 'ok') return { status: 'ok', checks: readiness.checks };
      return reply.status(503).send({
        errors: [
          {
            status: '503',
            code: 'service_unavailable',
            detail: 'Worker not ready',
            meta: { checks: readiness.checks },
          },
        ],
      });
    });
    await server.listen({ port: this.config.app.workerPort, host: '0.0.0.0' });
    this.server = server;
    this.logger.log(`worker health on :${this.port}/healthz/{live,ready}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
