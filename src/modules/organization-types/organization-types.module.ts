import { Module } from '@nestjs/common';
import { OrganizationTypesController } from './organization-types.controller';
import { OrganizationTypesRepository } from './organization-types.repository';
import { OrganizationTypesService } from './organization-types.service';

/** Organization types: reference data shared by every tenant. */
@Module({
  controllers: [OrganizationTypesController],
  providers: [OrganizationTypesService, OrganizationTypesRepository],
  exports: [OrganizationTypesService],
})
export class OrganizationTypesModule {}
