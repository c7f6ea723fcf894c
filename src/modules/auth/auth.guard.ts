import { createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import {
  ALLOWED_WHEN_ARCHIVED_KEY,
  IS_PUBLIC_KEY,
  PERMISSIONS_KEY,
  Principal,
  USER_REQUIRED_KEY,
  userRequiredError,
} from '../../core/auth';
import { LocalCache, PRINCIPALS_CACHE } from '../../core/cache';
import { Clock } from '../../core/clock';
import { CoreErrors } from '../../core/http/errors';
import { AccessService } from '../access';
import { TokenService } from './token.service';
import { AuthErrors } from './auth.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `lastUsedAt` is a hint, not a log: write it at most once a minute per key. */
const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * How long a caller's row stays in memory at most ({@link LocalCache} caps it at 10 s): every
 * change to what it holds (deactivation, superuser, language, password, ended sessions, revoked
 * keys, organization archive) invalidates `principals` in every instance at once.
 */
const PRINCIPAL_TTL_MS = 10_000;

interface UserRow {
  id: string;
  is_active: boolean;
  is_superuser: boolean;
  language: string | null;
  password_changed_at: Date | null;
  session_active: boolean;
}

interface ApiKeyRow {
  id: string;
  organization_id: string;
  role_id: string;
  last_used_at: Date | null;
  language: string | null;
  organization_status: string;
}

/** Methods that do not change anything (RFC 9110 §9.2.1): allowed in an archived organization. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type HeadersOnly = Pick<FastifyRequest, 'headers'>;

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * The global guard, deny by default. A route is reachable if it is `@Public()`; otherwise the
 * caller must authenticate (Bearer JWT or X-API-Key), act for an organization it belongs to
 * (X-Organization-Id or its default), and hold every permission the route declares. A route that
 * declares nothing is refused (the route-walking test keeps that from shipping).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly access: AccessService,
    private readonly clock: Clock,
    private readonly logger: PinoLogger,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly local: LocalCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<string[] | undefined>(
      PERMISSIONS_KEY,
      targets,
    );
    if (required === undefined) throw AuthErrors.route_not_declared();

    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const principal = await this.authenticate(request);
    request.principal = principal;
    this.logger.assign({
      userId: principal.userId ?? undefined,
      apiKeyId: principal.apiKeyId ?? undefined,
      orgId: principal.organizationId ?? undefined,
    });

    // Routes that act for a person (@RequireUser) refuse API keys before anything else.
    if (!principal.userId && this.reflector.getAllAndOverride<boolean>(USER_REQUIRED_KEY, targets))
      throw userRequiredError();

    const missing = required.filter((p) => !principal.permissions.has(p));
    if (missing.length > 0) {
      throw CoreErrors.forbidden(`Missing permission: ${missing.join(', ')}`, { missing });
    }

    // An archived organization is read-only for everyone acting in it, in every module. Routes
    // that declare no permission act on the caller's own account (password, 2FA, sessions,
    // /auth/me), not on the organization, and stay open; so do @AllowedWhenArchived reads.
    if (
      principal.organizationArchived &&
      !SAFE_METHODS.has(request.method.toUpperCase()) &&
      required.length > 0 &&
      !this.reflector.getAllAndOverride<boolean>(ALLOWED_WHEN_ARCHIVED_KEY, targets)
    ) {
      throw AuthErrors.organization_archived(principal.organizationId);
    }
    return true;
  }

  /** The caller of a request — or of a socket handshake, given its headers (realtime). */
  async authenticate(request: HeadersOnly): Promise<Principal> {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey.length > 0) return this.fromApiKey(apiKey, request);
    const authorization = request.headers.authorization;
    const match =
      typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
    if (!match) throw CoreErrors.unauthorized();
    return this.fromAccessToken(match[1], request);
  }

  private requestedOrganization(request: HeadersOnly): string | undefined {
    const header = request.headers['x-organization-id'];
    if (header === undefined) return undefined;
    if (typeof header !== 'string' || !UUID.test(header)) {
      throw AuthErrors.organization_forbidden('not_yours');
    }
    return header.toLowerCase();
  }

  private async fromAccessToken(token: string, request: HeadersOnly): Promise<Principal> {
    const claims = await this.tokens.verifyAccess(token);
    // session_active: an ended session (logout, DELETE /auth/me/sessions/{id}, refresh-token
    // reuse) also ends its access tokens at once, not when they expire.
    // In memory between changes (PRINCIPALS_CACHE): no round trip in steady state.
    const user = await this.local.getOrLoad(
      PRINCIPALS_CACHE,
      `user:${claims.sub}:${claims.fam ?? ''}`,
      PRINCIPAL_TTL_MS,
      async () => {
        const [row] = await this.dataSource.query<UserRow[]>(
          `SELECT id, is_active, is_superuser, language, password_changed_at,
                  ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM refresh_tokens r
                    WHERE r.family_id = $2 AND r.user_id = users.id AND r.revoked_at IS NULL)) AS session_active
             FROM users WHERE id = $1`,
          [claims.sub, claims.fam ?? null],
        );
        return row; // undefined (unknown user) is not kept
      },
    );
    const issuedAt = (claims as { iat?: number }).iat ?? 0;
    // Tokens issued before a password change stop working (1 s grace for same-second issue).
    const stale =
      user?.password_changed_at && issuedAt * 1000 < user.password_changed_at.getTime() - 1000;
    if (!user || !user.is_active || stale || !user.session_active) throw AuthErrors.invalid_token();

    const organizationId =
      this.requestedOrganization(request) ?? (await this.access.defaultOrganizationId(user.id));
    let permissions: string[] = [];
    let organizationLanguage: string | null = null;
    let organizationArchived = false;
    if (organizationId) {
      const access = await this.access.resolve(user.id, organizationId, user.is_superuser);
      organizationLanguage = access.language;
      organizationArchived = access.archived === true;
      if (!access.member) {
        throw AuthErrors.organization_forbidden('not_a_member');
      }
      permissions = access.permissions;
    }
    return {
      kind: 'user',
      userId: user.id,
      apiKeyId: null,
      isSuperuser: user.is_superuser,
      organizationId: organizationId ?? null,
      permissions: new Set(permissions),
      scopeKey: `user:${user.id}`,
      language: user.language,
      organizationLanguage,
      organizationArchived,
      sessionId: claims.fam ?? null,
    };
  }

  private async fromApiKey(key: string, request: HeadersOnly): Promise<Principal> {
    const row = await this.local.getOrLoad(
      PRINCIPALS_CACHE,
      `key:${hashApiKey(key)}`,
      PRINCIPAL_TTL_MS,
      async () => {
        const [found] = await this.dataSource.query<ApiKeyRow[]>(
          `SELECT k.id, k.organization_id, k.role_id, k.last_used_at, o.language,
                  o.status AS organization_status
             FROM api_keys k JOIN organizations o ON o.id = k.organization_id
            WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
          [hashApiKey(key)],
        );
        return found; // undefined (unknown or revoked key) is not kept
      },
    );
    if (!row) throw AuthErrors.invalid_api_key();
    const requested = this.requestedOrganization(request);
    if (requested && requested !== row.organization_id) {
      throw AuthErrors.organization_forbidden('key_of_another');
    }
    const now = this.clock.now();
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.dataSource.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [
        row.id,
        now,
      ]);
      row.last_used_at = now; // the cached row too: the next write is due in a minute
    }
    return {
      kind: 'apiKey',
      userId: null,
      apiKeyId: row.id,
      isSuperuser: false,
      organizationId: row.organization_id,
      permissions: new Set(await this.access.rolePermissions(row.role_id)),
      scopeKey: `key:${row.id}`,
      language: null,
      organizationLanguage: row.language,
      organizationArchived: row.organization_status === 'archived',
    };
  }
}
