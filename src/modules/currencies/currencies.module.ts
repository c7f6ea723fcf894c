import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CurrenciesController } from './currencies.controller';
import { CurrenciesRepository } from './currencies.repository';
import { CurrenciesService } from './currencies.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule],
  controllers: [CurrenciesController],
  providers: [CurrenciesService, CurrenciesRepository],
  exports: [CurrenciesService],
})
export class CurrenciesModule {}
