import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { TagsServiceModule } from '../tags';
import { CustomFieldsServiceModule } from '../custom-fields';
import { CategoriesModule } from '../categories';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';

import { ContactImporterRegistration } from './contacts.importer';
import { ContactRecordUpdaterRegistration } from './contact-automation';
import { ContactTargetsModule } from './contact-targets';

/** See README.md in this folder. */
@Module({
  imports: [
    AuditModule,
    TagsServiceModule,
    CustomFieldsServiceModule,
    CategoriesModule,
    ContactTargetsModule,
  ],
  controllers: [ContactsController],
  providers: [
    ContactImporterRegistration,
    ContactsService,
    ContactsRepository,
    ContactRecordUpdaterRegistration,
  ],
  exports: [ContactsService],
})
export class ContactsModule {}
