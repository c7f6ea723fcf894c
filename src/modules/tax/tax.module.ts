import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { TaxCategoriesService } from './tax-categories.service';
import { TaxJurisdictionsService } from './tax-jurisdictions.service';
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
  providers: [TaxJurisdictionsService, TaxCategoriesService, TaxRatesService],
  exports: [TaxRatesService],
})
export class TaxModule {}
