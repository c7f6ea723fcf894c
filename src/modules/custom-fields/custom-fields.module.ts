import { Global, Module } from '@nestjs/common';
import { CustomFieldCatalog } from '../../core/filters/custom-field-catalog';
import { AuditModule } from '../audit';
import { MemberDirectoryModule } from '../memberships';
import { CustomFieldTargetsModule } from './custom-field-targets';
import { CustomFieldsController } from './custom-fields.controller';
import { CustomFieldsRepository } from './custom-fields.repository';
import { CustomFieldsService } from './custom-fields.service';

/**
 * The service side (API and worker): {@link CustomFieldsService} for the modules whose records
 * carry custom fields (products, contacts: create/update/import) and the core
 * {@link CustomFieldCatalog} for the list filter grammar. Global: the catalog is core's.
 */
@Global()
@Module({
  imports: [AuditModule, MemberDirectoryModule, CustomFieldTargetsModule],
  providers: [
    CustomFieldsService,
    CustomFieldsRepository,
    { provide: CustomFieldCatalog, useExisting: CustomFieldsService },
  ],
  exports: [CustomFieldsService, CustomFieldCatalog, CustomFieldTargetsModule],
})
export class CustomFieldsServiceModule {}

/** See README.md in this folder. */
@Module({ imports: [CustomFieldsServiceModule], controllers: [CustomFieldsController] })
export class CustomFieldsModule {}
