import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CategoriesModule } from '../categories';
import { AttachmentTargetsModule } from '../files';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';

import { ContactImporterRegistration } from './contacts.importer';
import { ContactTargetsRegistration } from './contact-targets';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, CategoriesModule, AttachmentTargetsModule],
  controllers: [ContactsController],
  providers: [
    ContactImporterRegistration,
    ContactTargetsRegistration,
    ContactsService,
    ContactsRepository,
  ],
  exports: [ContactsService],
})
export class ContactsModule {}
