import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { TagsServiceModule } from '../tags';
import { CustomFieldsServiceModule } from '../custom-fields';
import { CategoriesModule } from '../categories';
import { ContentTranslationsModule } from '../content-translations';
import { CurrenciesModule } from '../currencies';
import { StatusUsageModule } from '../statuses';
import { UnitsOfMeasureModule } from '../units-of-measure';
import { ProductsRepository } from './products.repository';
import { ProductsController } from './products.controller';
import { ProductCounts } from './product-counts';
import { ProductsService } from './products.service';
import { ProductStatusUsageRegistration } from './product-status-usage';

import { ProductImporterRegistration } from './products.importer';
import { ProductRecordUpdaterRegistration } from './product-automation';
import { ProductTargetsModule, ProductTranslatableRegistration } from './product-targets';

/** See README.md in this folder. */
@Module({
  imports: [
    AuditModule,
    TagsServiceModule,
    CustomFieldsServiceModule,
    CategoriesModule,
    ContentTranslationsModule,
    ProductTargetsModule,
    CurrenciesModule,
    UnitsOfMeasureModule,
    StatusUsageModule,
  ],
  controllers: [ProductsController],
  providers: [
    ProductImporterRegistration,
    ProductTranslatableRegistration,
    ProductsService,
    ProductsRepository,
    ProductCounts,
    ProductStatusUsageRegistration,
    ProductRecordUpdaterRegistration,
  ],
  exports: [ProductsService, ProductCounts],
})
export class ProductsModule {}
