import { Module } from '@nestjs/common';
import { OrganizationTypesController } from './organization-types.controller';
import { OrganizationTypesRepository } from './organization-types.repository';
import { OrganizationTypesService } from './organization-types.service';

/**
 * `OrganizationTypesService` without the HTTP controller, for modules that also run in the worker
 * (organizations, through the scheduler).
 */
@Module({
  providers: [OrganizationTypesService, OrganizationTypesRepository],
  exports: [OrganizationTypesService],
})
export class OrganizationTypesServiceModule {}

/** Organization types: reference data shared by every tenant. The API side: the routes. */
@Module({
  imports: [OrganizationTypesServiceModule],
  controllers: [OrganizationTypesController],
  exports: [OrganizationTypesServiceModule],
})
export class OrganizationTypesModule {}
