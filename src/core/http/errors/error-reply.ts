import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { languageOf, translateDetail } from '../../i18n';
import { reportError } from '../../observability/sentry';
import { RouteTable } from '../route-table';
import { mapError, MappedError } from './error-mapper';

const logger = new Logger('HttpError');

function methodNotAllowed(allowed: string[], method: string): MappedError {
  return {
    status: 405,
    body: {
      errors: [
        {
          status: '405',
          code: 'method_not_allowed',
          detail: `${method} is not allowed here; allowed: ${allowed.join(', ')}`,
          meta: { allowed },
        },
      ],
    },
    headers: { Allow: allowed.join(', ') },
    unexpected: false,
  };
}

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
  if (mapped.status === 404 && unmatchedRoute && routes) {
    const allowed = routes.allowedMethods(request.url);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      mapped = methodNotAllowed(allowed, request.method);
    } else if (allowed.length === 0) {
      mapped.body.errors[0].detail = `No route ${request.method} ${request.url.split('?')[0]}`;
      mapped.body.errors[0].code = 'route_not_found';
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
    item.detail = translateDetail(item.code, item.detail, language);
  }
  void reply
    .status(mapped.status)
    .header('Content-Language', language)
    .headers(mapped.headers)
    .type('application/json; charset=utf-8')
    .send(mapped.body);
}
