import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CoreErrors, ForbiddenError, UnauthorizedError } from '../http/errors';

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
  /**
   * The active organization is archived: the global guard refuses every write in its context
   * (403 `organization_archived`) except routes of the caller's own account. Absent: not archived.
   */
  organizationArchived?: boolean;
  /** The refresh-token family (sign-in session) the access token belongs to; null for API keys. */
  sessionId?: string | null;
}

/** 403 `user_required`: the route acts for a person and the caller is an API key. */
export const userRequiredError = (): ForbiddenError => CoreErrors.user_required();

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
 * The caller's user id, for routes marked `@RequireUser()` (the guard already refused API keys);
 * fails closed with 403 `user_required` should a route forget the marker.
 */
export function currentUserIdOf(_: unknown, ctx: ExecutionContext): string {
  const principal = principalOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  if (!principal) throw new UnauthorizedError();
  if (!principal.userId) throw userRequiredError();
  return principal.userId;
}

/** `@CurrentUserId()`: see `currentUserIdOf` (exported so a test can find every handler using it). */
export const CurrentUserId = createParamDecorator(currentUserIdOf);

/**
 * The active organization id. Fails closed: no organization in context is a 403, never "all rows".
 * Tenant repositories take this as their first argument.
 */
export const ActiveOrganization = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const principal = principalOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  if (!principal) throw new UnauthorizedError();
  if (!principal.organizationId) {
    throw CoreErrors.organization_required();
  }
  return principal.organizationId;
});

/** Who a list is resolved for (`ListQueryParser.resolve`): the active organization and the user (null: API key). */
export interface ListScope {
  orgId: string | null;
  userId: string | null;
}

/**
 * `@ListScope()`: the caller's {@link ListScope} (never fails on a missing organization: the
 * route's `@ActiveOrganization()` or service does that).
 */
export const ListScope = createParamDecorator((_: unknown, ctx: ExecutionContext): ListScope => {
  const principal = principalOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  if (!principal) throw new UnauthorizedError();
  return { orgId: principal.organizationId, userId: principal.userId };
});

/**
 * Why a change happened when no person made it directly: an automation rule's action (issue 19).
 * `depth` is the causation depth the change's domain event carries (the triggering event's depth
 * + 1; a user's change is 0); `automationRuleId`/`automationRunId` let the automation consumer
 * recognise a rule's own writes (a rule never fires on them).
 */
export interface Causation {
  depth: number;
  automationRuleId?: string;
  automationRunId?: string;
}

/** Request facts the audit log records. */
export interface AuditContext {
  actorUserId: string | null;
  actorApiKeyId: string | null;
  requestId: string | null;
  ip: string | null;
  /** Absent for a person's request; set by automation (see {@link Causation}). */
  causation?: Causation;
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
