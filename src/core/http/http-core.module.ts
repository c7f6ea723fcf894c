import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AccessGuard } from '../auth/access.guard';
import { ETagInterceptor } from './etag.interceptor';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import { ListQueryParser } from './list-query';

/** HTTP conventions that need DI: deny-by-default guard, idempotency, ETags, list parsing. */
@Global()
@Module({
  providers: [
    IdempotencyRepository,
    ListQueryParser,
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
    { provide: APP_INTERCEPTOR, useClass: ETagInterceptor },
  ],
  exports: [ListQueryParser, IdempotencyRepository],
})
export class HttpCoreModule {}
