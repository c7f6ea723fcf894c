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
