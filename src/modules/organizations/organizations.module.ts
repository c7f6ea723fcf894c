import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { OrganizationTypesServiceModule } from '../organization-types';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

/**
 * `OrganizationsService` without the HTTP controller, so the worker can use it too (the worker has
 * no HTTP core: no `ListQueryParser` for the controller). The scheduler imports this one.
 */
@Module({
  imports: [AccessModule, AuditModule, OrganizationTypesServiceModule],
  providers: [OrganizationsService, OrganizationsRepository],
  exports: [OrganizationsService],
})
export class OrganizationsServiceModule {}

/** See README.md in this folder. The API side: the routes, over {@link OrganizationsServiceModule}. */
@Module({
  imports: [OrganizationsServiceModule],
  controllers: [OrganizationsController],
  exports: [OrganizationsServiceModule],
})
export class OrganizationsModule {}
