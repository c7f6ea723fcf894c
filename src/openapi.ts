import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { AppConfig } from './core/config';
import { applyGlobalPrefix } from './core/http/http-app';
import { buildOpenApiDocument } from './core/http/swagger';
import { APP_VERSION } from './core/version';

/**
 * The OpenAPI document without connecting to anything: Nest's preview mode reads the controllers'
 * metadata but instantiates no provider. Used by `cli openapi` and the staleness test.
 */
export async function generateOpenApiDocument(config: AppConfig): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  applyGlobalPrefix(app, config);
  const document = buildOpenApiDocument(app, APP_VERSION);
  await app.close();
  return document;
}

/** Stable text for the committed `openapi.json` (two-space JSON, trailing newline). */
export const serializeOpenApi = (document: OpenAPIObject): string =>
  `${JSON.stringify(document, null, 2)}\n`;
