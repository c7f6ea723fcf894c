import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../http/errors';

/** Who is calling, for which organization, with which permissions. Set by the global guard. */
export interface Principal {
  kind: 'user' | 'apiKey';
  userId: string | null;
  apiKeyId: string | null;
  isSuperuser: boolean;
  /** The active organization (X-Organization-Id or the user's default membership). */
  organizationId: string | null;
  permissions: ReadonlySet<string>;
  /** Stable id of the caller (idempotency scope, rate-limit key). */
  scopeKey: string;
  /** The user's preferred language (null: none; API keys have none). */
  language: string | null;
  /** The active organization's default language, also the language its content is written in. */
  organizationLanguage: string | null;
}

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export function principalOf(request: FastifyRequest): Principal | undefined {
  return (request as AuthenticatedRequest).principal;
}

/** The authenticated caller; a route reaching here without one is a bug, answered 401. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const principal = principalOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  if (!principal) throw new UnauthorizedError();
  return principal;
});

/**
 * The active organization id. Fails closed: no organization in context is a 403, never "all rows".
 * Tenant repositories take this as their first argument.
 */
export const ActiveOrganization = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const principal = principalOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  if (!principal) throw new UnauthorizedError();
  if (!principal.organizationId) {
    throw new ForbiddenError(
      'Choose an organization (X-Organization-Id) first',
      'organization_required',
    );
  }
  return principal.organizationId;
});

/** Request facts the audit log records. */
export interface AuditContext {
  actorUserId: string | null;
  actorApiKeyId: string | null;
  requestId: string | null;
  ip: string | null;
}

export const AuditContextParam = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuditContext => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const principal = principalOf(request);
    return {
      actorUserId: principal?.userId ?? null,
      actorApiKeyId: principal?.apiKeyId ?? null,
      requestId: String(request.id),
      ip: request.ip ?? null,
    };
  },
);
