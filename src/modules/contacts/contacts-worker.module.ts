import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CategoriesService } from '../categories';
import { ContactImporterRegistration } from './contacts.importer';
import { ContactsRepository } from './contacts.repository';

/**
 * The contacts module's worker side: registers the contacts importer with the import pipeline
 * (modules/imports), which runs in the worker. `CategoriesService` is provided directly: its
 * Nest module carries HTTP controllers, which the worker cannot build.
 */
@Module({
  imports: [AuditModule],
  providers: [ContactImporterRegistration, ContactsRepository, CategoriesService],
})
export class ContactsWorkerModule {}
