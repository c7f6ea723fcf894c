import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CurrenciesController } from './currencies.controller';
import { CurrenciesRepository } from './currencies.repository';
import { CurrenciesService } from './currencies.service';

/**
 * `CurrenciesService` without the HTTP controller, for modules that also run in the worker (the importers);
 * the worker has no HTTP layer to build a controller with.
 */
@Module({
  imports: [AuditModule],
  providers: [CurrenciesService, CurrenciesRepository],
  exports: [CurrenciesService],
})
export class CurrenciesServiceModule {}

/** See README.md in this folder. The API side: the routes, over {@link CurrenciesServiceModule}. */
@Module({
  imports: [CurrenciesServiceModule],
  controllers: [CurrenciesController],
  exports: [CurrenciesServiceModule],
})
export class CurrenciesModule {}
