import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { Observable } from 'rxjs';
import { tap } from 'rxjs/operators';
import { AppConfig } from '../config';

const LOCATION_KEY = 'alees:location';

/**
 * A 201 whose body has an `id` (or the named natural key, e.g. `code`) gets
 * `Location: /<api prefix>/<collection>/<key>`.
 */
export const LocationOf = (collection: string, key = 'id') =>
  SetMetadata(LOCATION_KEY, { collection, key });

@Injectable()
export class LocationInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const target = this.reflector.get<{ collection: string; key: string } | undefined>(
      LOCATION_KEY,
      context.getHandler(),
    );
    if (!target) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      tap((body: unknown) => {
        const id = (body as Record<string, unknown> | null)?.[target.key];
        if (typeof id === 'string') {
          const path = `${target.collection}/${encodeURIComponent(id)}`;
          void reply.header('Location', `/${this.config.app.apiPrefix}/${path}`);
        }
      }),
    );
  }
}
