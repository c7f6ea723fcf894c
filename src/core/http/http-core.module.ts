import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Clock } from '../clock';
import { ETagInterceptor } from './etag.interceptor';
import { LocationInterceptor } from './location.interceptor';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import { ListQueryParser } from './list-query';

/**
 * HTTP conventions that need DI: idempotency, ETags, list parsing, the clock. (The deny-by-default
 * guard is the auth module's, registered as APP_GUARD.)
 */
@Global()
@Module({
  providers: [
    IdempotencyRepository,
    ListQueryParser,
    Clock,
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
    { provide: APP_INTERCEPTOR, useClass: ETagInterceptor },
    { provide: APP_INTERCEPTOR, useClass: LocationInterceptor },
  ],
  exports: [ListQueryParser, IdempotencyRepository, Clock],
})
export class HttpCoreModule {}
