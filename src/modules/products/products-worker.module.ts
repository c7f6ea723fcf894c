import { ProductTargetsModule } from './product-targets';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { TagsServiceModule } from '../tags';
import { CustomFieldsServiceModule } from '../custom-fields';
import { CategoriesServiceModule } from '../categories';
import { CurrenciesServiceModule } from '../currencies';
import { UnitsOfMeasureServiceModule } from '../units-of-measure';
import { ProductCounts } from './product-counts';
import { ProductImporterRegistration } from './products.importer';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';
import { ProductRecordUpdaterRegistration } from './product-automation';
import { ContentTranslationsModule } from '../content-translations';

/**
 * The products module's worker side: registers the products importer with the import pipeline
 * (modules/imports), which runs in the worker. The owners' services the importer checks
 * references with come from their controller-free `*ServiceModule`s (the worker has no HTTP layer).
 */
@Module({
  imports: [
    AuditModule,
    TagsServiceModule,
    CustomFieldsServiceModule,
    CategoriesServiceModule,
    CurrenciesServiceModule,
    UnitsOfMeasureServiceModule,
    ProductTargetsModule,
    ContentTranslationsModule,
  ],
  providers: [
    ProductImporterRegistration,
    ProductsRepository,
    ProductCounts,
    // Automation's update_record runs in the worker (issue 19).
    ProductsService,
    ProductRecordUpdaterRegistration,
  ],
})
export class ProductsWorkerModule {}
