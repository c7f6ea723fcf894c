import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { FileStorageModule } from '../files';
import { ExportJob } from './export.job';
import { ImportJob } from './import.job';
import { ImporterRegistryModule } from './importer-registry';
import { ImportsController } from './imports.controller';

/** See README.md in this folder. API side: upload and enqueue. */
@Module({
  imports: [FileStorageModule, ImporterRegistryModule],
  controllers: [ImportsController],
})
export class ImportsModule {}

/** Worker side: the import and export tasks. */
@Module({
  imports: [FileStorageModule, AuditModule, ImporterRegistryModule],
  providers: [ImportJob, ExportJob],
})
export class ImportsWorkerModule {}
