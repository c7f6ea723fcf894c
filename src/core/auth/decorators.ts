import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../http/error-envelope.dto';

export const IS_PUBLIC_KEY = 'alees:public';
export const PERMISSIONS_KEY = 'alees:permissions';
export const USER_REQUIRED_KEY = 'alees:user-required';
export const ALLOWED_WHEN_ARCHIVED_KEY = 'alees:allowed-when-archived';

/** Reachable without credentials. Every route declares this or `@RequirePermissions` (deny by default). */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension('x-public', true));

/**
 * The caller needs every listed `resource:action` permission in the active organization.
 * Also documents the route's auth in Swagger.
 */
export const RequirePermissions = (...permissions: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(PERMISSIONS_KEY, permissions),
    ApiBearerAuth('bearer'),
    ApiSecurity('api-key'),
    ApiExtension('x-permissions', permissions),
    ApiUnauthorizedResponse({
      description: 'Missing, invalid or expired credentials',
      type: ErrorEnvelopeDto,
    }),
    ApiForbiddenResponse({
      description: `Requires ${permissions.join(', ') || 'authentication'}`,
      type: ErrorEnvelopeDto,
    }),
  );

/**
 * The route acts for a person (their profile, password, 2FA, sessions, chat): an API key, which
 * belongs to an organization and has no user, is refused by the global guard with 403
 * `user_required` (never reaching a handler with a null user id). Use with `@RequirePermissions`;
 * handlers read the id with `@CurrentUserId()`. Stated in the OpenAPI document (403 + `x-user-required`).
 */
export const RequireUser = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(USER_REQUIRED_KEY, true),
    ApiExtension('x-user-required', true),
    ApiForbiddenResponse({
      description: '`user_required`: a signed-in person only; API keys are refused',
      type: ErrorEnvelopeDto,
    }),
  );

/**
 * A POST that only reads (e.g. a signed download URL): the global guard lets it through in the
 * context of an archived organization, where every other non-safe method is a 403
 * `organization_archived`. Routes declaring no permission (the caller's own account: password,
 * 2FA, sessions, `/auth/me`) pass without it.
 */
export const AllowedWhenArchived = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ALLOWED_WHEN_ARCHIVED_KEY, true);
