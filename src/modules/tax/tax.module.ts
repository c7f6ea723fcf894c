import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { TaxCategoriesRepository } from './tax-categories.repository';
import { TaxCategoriesService } from './tax-categories.service';
import { TaxJurisdictionsRepository } from './tax-jurisdictions.repository';
import { TaxJurisdictionsService } from './tax-jurisdictions.service';
import { TaxRatesRepository } from './tax-rates.repository';
import { TaxRatesService } from './tax-rates.service';
import {
  TaxCategoriesController,
  TaxJurisdictionsController,
  TaxRatesController,
} from './tax.controller';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule],
  controllers: [TaxJurisdictionsController, TaxCategoriesController, TaxRatesController],
  providers: [
    TaxJurisdictionsService,
    TaxCategoriesService,
    TaxRatesService,
    TaxJurisdictionsRepository,
    TaxCategoriesRepository,
    TaxRatesRepository,
  ],
  exports: [TaxRatesService],
})
export class TaxModule {}
