import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthorizedError } from '../http/errors';
import { IS_PUBLIC_KEY } from './decorators';

/**
 * Global guard, deny by default: a route is reachable only if it is `@Public()`; everything else
 * needs an authenticated principal (added by the identity module) with the declared permissions.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    throw new UnauthorizedError();
  }
}
