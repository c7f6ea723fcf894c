import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { FileStorageModule } from '../files';
import { ProductCounts } from '../products';
import { ExportTask } from './export.task';
import { ImportTask } from './import.task';
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
  providers: [ImporterFactory, ImportTask, ExportTask, ProductCounts],
})
export class ImportsJobsModule {}
