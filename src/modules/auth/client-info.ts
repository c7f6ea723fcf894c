import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from './account-activity.repository';

const MAX_USER_AGENT = 512;

/**
 * The request's client for sessions and login history: `request.ip` (honours TRUST_PROXY) and the
 * `User-Agent` header, cut to 512 characters.
 */
export const Client = createParamDecorator((_: unknown, ctx: ExecutionContext): ClientInfo => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' && agent ? agent.slice(0, MAX_USER_AGENT) : null,
  };
});
