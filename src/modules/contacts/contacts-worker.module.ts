import { ContactTargetsModule } from './contact-targets';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { TagsServiceModule } from '../tags';
import { CustomFieldsServiceModule } from '../custom-fields';
import { CategoriesServiceModule } from '../categories';
import { ContactImporterRegistration } from './contacts.importer';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';
import { ContactRecordUpdaterRegistration } from './contact-automation';

/**
 * The contacts module's worker side: registers the contacts importer with the import pipeline
 * (modules/imports), which runs in the worker. `CategoriesService` comes from the controller-free
 * `CategoriesServiceModule` (the worker has no HTTP layer).
 */
@Module({
  imports: [
    AuditModule,
    TagsServiceModule,
    CustomFieldsServiceModule,
    CategoriesServiceModule,
    ContactTargetsModule,
  ],
  providers: [
    ContactImporterRegistration,
    ContactsRepository,
    // Automation's update_record runs in the worker (issue 19).
    ContactsService,
    ContactRecordUpdaterRegistration,
  ],
})
export class ContactsWorkerModule {}
