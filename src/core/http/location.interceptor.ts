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

/** A 201 whose body has an `id` gets `Location: /<api prefix>/<collection>/<id>`. */
export const LocationOf = (collection: string) => SetMetadata(LOCATION_KEY, collection);

@Injectable()
export class LocationInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const collection = this.reflector.get<string | undefined>(LOCATION_KEY, context.getHandler());
    if (!collection) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      tap((body: unknown) => {
        const id = (body as { id?: unknown } | null)?.id;
        if (typeof id === 'string')
          void reply.header('Location', `/${this.config.app.apiPrefix}/${collection}/${id}`);
      }),
    );
  }
}
