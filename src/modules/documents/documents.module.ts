import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CategoriesServiceModule } from '../categories';
import { CustomFieldsServiceModule } from '../custom-fields';
import { FileStorageModule } from '../files';
import { StatusesModule } from '../statuses';
import { TagsServiceModule } from '../tags';
import { DocumentTargetsModule } from './document-targets';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { DocumentsService } from './documents.service';
import { FoldersController } from './folders.controller';
import { FoldersRepository } from './folders.repository';
import { FoldersService } from './folders.service';
import { ShareLinksService } from './share-links.service';
import { SharedDocumentsController } from './shared-documents.controller';

/** See README.md in this folder. */
@Module({
  imports: [
    AuditModule,
    FileStorageModule,
    CategoriesServiceModule,
    CustomFieldsServiceModule,
    StatusesModule,
    TagsServiceModule,
    DocumentTargetsModule,
  ],
  controllers: [FoldersController, DocumentsController, SharedDocumentsController],
  providers: [
    FoldersService,
    FoldersRepository,
    DocumentsService,
    DocumentsRepository,
    ShareLinksService,
  ],
  exports: [DocumentsService],
})
export class DocumentsModule {}
