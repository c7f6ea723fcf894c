import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { languageOf, translateDetail } from '../../i18n';
import { reportError } from '../../observability/sentry';
import { RouteTable } from '../route-table';
import { MethodNotAllowedError } from './app-errors';
import { CoreErrors } from './core.errors';
import { mapError } from './error-mapper';

const logger = new Logger('HttpError');

/**
 * Writes the envelope for any error, whichever path raised it (a Nest handler, Fastify's body
 * parser, the not-found handler). Internals go to the log, never to the client.
 */
export function sendErrorReply(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  routes?: RouteTable,
): void {
  let mapped = mapError(error);
  const unmatchedRoute = !request.routeOptions?.url;
  if (unmatchedRoute && routes) {
    // Routing decides first: an unknown path is a 404 and a known path with another method a 405,
    // whatever else Fastify noticed on the way (e.g. `QUERY` without Content-Type is its 400).
    const resolution = routes.resolve(request.method, request.url, undefined);
    if (resolution.kind === 'method-not-allowed') {
      mapped = mapError(new MethodNotAllowedError(request.method, resolution.allowed));
    } else if (resolution.kind === 'not-found') {
      mapped = mapError(CoreErrors.route_not_found());
      mapped.body.errors[0].detail = `No route ${request.method} ${request.url.split('?')[0]}`;
    }
  }
  if (mapped.unexpected) {
    logger.error({ err: error }, 'Unhandled error');
    const userId = (request as { principal?: { userId?: string } }).principal?.userId;
    reportError(error, { requestId: String(request.id), userId });
  }
  if (reply.sent) return;
  const language = languageOf(request);
  for (const item of mapped.body.errors) {
    const place = item.source?.pointer ?? item.source?.parameter;
    const rules = item.meta?.rules;
    item.detail = translateDetail(item.code, item.detail, language, {
      field: place?.split(/[/.]/).filter(Boolean).pop(),
      rules: Array.isArray(rules) ? rules.map(String) : undefined,
    });
  }
  void reply
    .status(mapped.status)
    .header('Content-Language', language)
    .headers(mapped.headers)
    .type('application/json; charset=utf-8')
    .send(mapped.body);
}

/**
 * Fastify's `frameworkErrors` (bootstrap.ts): the router's own refusals (a path parameter over
 * `maxParamLength` → 414, a malformed percent-encoding → 400) arrive before any hook ran, so the
 * request id and `nosniff` that the `onRequest` hooks add elsewhere are set here, then the envelope.
 */
export function sendRoutingError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('X-Request-ID', request.id).header('X-Content-Type-Options', 'nosniff');
  sendErrorReply(error, request, reply);
}
