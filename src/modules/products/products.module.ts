import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CategoriesModule } from '../categories';
import { ContentTranslationsModule } from '../content-translations';
import { ProductsController } from './products.controller';
import { ProductCounts } from './product-counts';
import { ProductsService } from './products.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, CategoriesModule, ContentTranslationsModule],
  controllers: [ProductsController],
  providers: [ProductsService, ProductCounts],
  exports: [ProductsService, ProductCounts],
})
export class ProductsModule {}
