import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension, ApiNotFoundResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../core/auth/principal';
import { ErrorEnvelopeDto, NotFoundError } from '../../core/http';
import { FeatureFlagsService } from './feature-flags.service';

const FLAG_KEY = 'alees:feature-flag';

/** The route exists only while the flag is on for the caller: off → 404, as if it did not exist. */
@Injectable()
export class FeatureFlagGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly flags: FeatureFlagsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const key = this.reflector.get<string | undefined>(FLAG_KEY, context.getHandler());
    if (!key) return true;
    const principal = principalOf(context.switchToHttp().getRequest<FastifyRequest>());
    const on = await this.flags.isOn(key, {
      userId: principal?.userId ?? null,
      organizationId: principal?.organizationId ?? null,
    });
    if (!on) throw new NotFoundError('Route');
    return true;
  }
}

/**
 * `@FeatureFlag('imports.xlsx')` on a route: 404 unless the flag is on for the caller (and the
 * OpenAPI document says so: the 404 and `x-feature-flag`).
 */
export const FeatureFlag = (key: string) =>
  applyDecorators(
    SetMetadata(FLAG_KEY, key),
    UseGuards(FeatureFlagGuard),
    ApiExtension('x-feature-flag', key),
    ApiNotFoundResponse({
      description: `Not found while the feature flag ${key} is off for the caller`,
      type: ErrorEnvelopeDto,
    }),
  );
