import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import { INestApplication, RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppConfig } from '../config';
import { languageOf } from '../i18n';
import { MetricsService } from '../metrics';
import { registerControlCharRule } from './control-chars.hook';
import {
  AllExceptionsFilter,
  AppValidationPipe,
  CoreErrors,
  MethodNotAllowedError,
} from './errors';
import { RouteTable } from './route-table';
import { buildOpenApiDocument, setupSwagger } from './swagger';

const EXPOSED_HEADERS = [
  'X-Request-ID',
  'ETag',
  'Location',
  'Retry-After',
  'Idempotent-Replayed',
  'Content-Language',
];
const JSON_CONTENT_TYPE = /^application\/([\w.-]+\+)?json$/;
/** Paths (static, below the API prefix) that read `application/octet-stream` bodies as streams. */
const RAW_BODY_ROUTES = ['files/uploads'];

/**
 * JSON only (anything else is a 415), parsed safely (`__proto__` refused), and a malformed body is
 * our own typed 400 rather than Fastify's text.
 */
function registerJsonParser(fastify: FastifyInstance, apiPrefix: string): void {
  const rawRoutes = new Set(RAW_BODY_ROUTES.map((route) => `/${apiPrefix}/${route}`));
  fastify.removeAllContentTypeParsers();
  // Raw bytes only where a route streams them itself (direct uploads); elsewhere still a 415.
  fastify.addContentTypeParser('application/octet-stream', (request, payload, done) => {
    // (routeOptions is not populated yet while parsing under Nest: match the path itself)
    if (rawRoutes.has(request.url.split('?')[0])) return done(null, payload);
    done(
      Object.assign(new Error('Unsupported content type'), {
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        statusCode: 415,
      }),
      undefined,
    );
  });
  fastify.addContentTypeParser(JSON_CONTENT_TYPE, { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // The exact bytes a signature covers (signed webhooks: meetings' video provider events).
    (request as { rawBody?: string }).rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(
        null,
        secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }),
      );
    } catch {
      done(CoreErrors.malformed_json(), undefined);
    }
  });
}

/** `/api/v1` for the API; operators' probes and metrics stay at the root. */
export function applyGlobalPrefix(app: INestApplication, config: AppConfig): void {
  app.setGlobalPrefix(config.app.apiPrefix, {
    exclude: [
      { path: 'healthz/live', method: RequestMethod.GET },
      { path: 'healthz/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
}

/**
 * Everything HTTP-wide, in one place, shared by `main.api.ts` and the e2e app factory: request id,
 * security headers, CORS, body parsing, the control-character rule, prefix, validation, the error envelope, metrics, Swagger.
 * Call before `app.init()` (routes are collected as they register).
 */
export async function configureHttpApp(
  app: NestFastifyApplication,
  config: AppConfig,
  version: string,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const routes = new RouteTable();
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-ID', request.id);
    // A literal path never falls through to a parameter route (`GET /files/presigned-uploads`
    // is not `GET /files/:id`): when a more specific template owns the path, it decides (405).
    const matched = request.routeOptions.url;
    if (matched && /[:*]/.test(matched)) {
      const resolution = routes.resolve(request.method, request.url, matched);
      if (resolution.kind === 'method-not-allowed') {
        return done(new MethodNotAllowedError(request.method, resolution.allowed));
      }
    }
    done();
  });
  // Every answer says its language (resolved per request: ?lang, user, Accept-Language, org, en).
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('Content-Language'))
      void reply.header('Content-Language', languageOf(request));
    const vary = reply.getHeader('Vary');
    if (!vary) void reply.header('Vary', 'Accept-Language');
    else if (!/accept-language/i.test(String(vary)))
      void reply.header('Vary', `${String(vary)}, Accept-Language`);
    done(null, payload);
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  registerJsonParser(fastify, config.app.apiPrefix);
  registerControlCharRule(fastify);
  // Multipart is parsed lazily by the routes that accept files (`request.file()`), streamed.
  await app.register(multipart, {
    limits: { fileSize: config.files.maxUploadBytes, files: 1, fields: 10 },
  });

  await app.register(helmet, {
    // Swagger UI needs inline scripts; JSON responses have nothing for a CSP to protect.
    contentSecurityPolicy: false,
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
    hsts: config.app.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  const allowed = new Set(config.app.corsAllowedOrigins);
  app.enableCors({
    origin: (origin, callback) => callback(null, !origin || allowed.has(origin)),
    credentials: true,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });

  applyGlobalPrefix(app, config);
  app.useGlobalPipes(new AppValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter(routes));
  const document = buildOpenApiDocument(app, version);
  servedDocuments.set(app, document);
  setupSwagger(app, document);
}

/** The OpenAPI document each app serves at `/docs-json` (read by the e2e contract checks). */
export const servedDocuments = new WeakMap<INestApplication, OpenAPIObject>();
