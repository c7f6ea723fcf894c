import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { FileStorageModule } from '../files';
import { ProductCounts } from '../products';
import { ExportJob } from './export.job';
import { ImportJob } from './import.job';
import { ImporterFactory } from './importer-factory';
import { ImportsController } from './imports.controller';

/** See README.md in this folder. API side: upload and enqueue. */
@Module({
  imports: [FileStorageModule],
  controllers: [ImportsController],
})
export class ImportsModule {}

/** Worker side: the import and export tasks. */
@Module({
  imports: [FileStorageModule, AuditModule],
  providers: [ImporterFactory, ImportJob, ExportJob, ProductCounts],
})
export class ImportsWorkerModule {}
