import { Module } from '@nestjs/common';
import { OrganizationTypesController } from './organization-types.controller';

/** Organization types: reference data shared by every tenant. */
@Module({ controllers: [OrganizationTypesController] })
export class OrganizationTypesModule {}
