import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CategoriesController } from './categories.controller';
import { CategoriesRepository } from './categories.repository';
import { CategoriesService } from './categories.service';
import { CategoryTargetsModule } from './category-targets';

/**
 * `CategoriesService` without the HTTP controller, for modules that also run in the worker (the importers);
 * the worker has no HTTP layer to build a controller with.
 */
@Module({
  imports: [AuditModule],
  providers: [CategoriesService, CategoriesRepository],
  exports: [CategoriesService, CategoriesRepository],
})
export class CategoriesServiceModule {}

/** See README.md in this folder. The API side: the routes, over {@link CategoriesServiceModule}. */
@Module({
  imports: [CategoriesServiceModule, CategoryTargetsModule],
  controllers: [CategoriesController],
  exports: [CategoriesServiceModule],
})
export class CategoriesModule {}
