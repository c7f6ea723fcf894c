import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { Writable } from 'node:stream';
import { AppModule, AppModuleOptions } from './app.module';
import { AppConfig } from './core/config';
import { cacheDtoMetadata } from './core/http/dto-metadata-cache';
import { sendRoutingError } from './core/http/errors';
import { configureHttpApp } from './core/http/http-app';
import { WiringAtDebugLogger } from './core/logging/wiring-at-debug.logger';
import { requestIdFor } from './core/http/request-id';
import { APP_VERSION } from './core/version';
import { RedisIoAdapter } from './modules/realtime';
import { WorkerModule } from './worker.module';

/** Builds (does not start) the HTTP API. Used by `main.api.ts`, the CLI and the e2e tests. */
export async function createApiApplication(
  config: AppConfig,
  options: AppModuleOptions = {},
): Promise<NestFastifyApplication> {
  cacheDtoMetadata(); // every request's DTO validation without a walk of all classes (idempotent)
  const adapter = new FastifyAdapter({
    bodyLimit: config.app.bodyLimitBytes,
    genReqId: requestIdFor,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // The router's own refusals (a path parameter over maxParamLength → 414, a malformed
    // percent-encoding → 400) answer in the error envelope like every other error.
    frameworkErrors: sendRoutingError,
    return503OnClosing: true,
    // Off unless TRUST_PROXY says which proxies to believe: then request.ip (rate-limit keys,
    // audit rows, logs) is the client's address from X-Forwarded-For, not the proxy's.
    trustProxy: config.app.trustProxy,
  });
  // Before Nest registers its middleware (pino-http serialises the request when it starts): the
  // access log's address is the client Fastify resolved through TRUST_PROXY, not the socket's.
  adapter.getInstance().addHook('onRequest', (request, _reply, done) => {
    (request.raw as typeof request.raw & { clientIp?: string }).clientIp = request.ip;
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options),
    adapter,
    {
      bodyParser: false,
      bufferLogs: true,
      abortOnError: false,
    },
  );
  app.useLogger(new WiringAtDebugLogger(app.get(Logger)));
  app.flushLogs(); // boot logs were buffered until the JSON logger existed
  app.enableShutdownHooks();
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));
  await configureHttpApp(app, config, APP_VERSION);
  return app;
}

/** Builds and starts the worker (processors + its health server). */
export async function createWorkerApplication(
  config: AppConfig,
  logDestination?: Writable,
  imports: (Type | DynamicModule)[] = [],
): Promise<INestApplicationContext> {
  cacheDtoMetadata(); // import rows and job payloads are validated with the API's DTOs (idempotent)
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(config, logDestination, imports),
    {
      bufferLogs: true,
      abortOnError: false,
    },
  );
  app.useLogger(new WiringAtDebugLogger(app.get(Logger)));
  app.flushLogs(); // boot logs were buffered until the JSON logger existed
  app.enableShutdownHooks();
  await app.init();
  return app;
}
