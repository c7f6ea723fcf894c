import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CategoriesService } from '../categories';
import { CurrenciesService } from '../currencies';
import { UnitsOfMeasureService } from '../units-of-measure';
import { ProductCounts } from './product-counts';
import { ProductImporterRegistration } from './products.importer';
import { ProductsRepository } from './products.repository';

/**
 * The products module's worker side: registers the products importer with the import pipeline
 * (modules/imports), which runs in the worker. The owners' services the importer checks
 * references with are provided here directly: their Nest modules carry HTTP controllers, which
 * the worker (no HTTP layer) cannot build.
 */
@Module({
  imports: [AuditModule],
  providers: [
    ProductImporterRegistration,
    ProductsRepository,
    ProductCounts,
    CategoriesService,
    CurrenciesService,
    UnitsOfMeasureService,
  ],
})
export class ProductsWorkerModule {}
