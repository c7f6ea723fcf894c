import { AttachmentChildrenRegistration } from './attachments.service';
import { Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import { AuditModule } from '../audit';
import { AttachmentsController } from './attachments.controller';
import { AttachmentsService } from './attachments.service';
import { FilesController } from './files.controller';
import { FilesRepository } from './files.repository';
import { FilesService } from './files.service';
import { LocalStorageBackend } from './storage/local-storage.backend';
import { S3StorageBackend } from './storage/s3-storage.backend';
import { STORAGE_BACKEND, StorageBackend } from './storage/storage-backend';
import { UrlSigner } from './storage/url-signer';

/** Storage and file metadata, for the API and the worker (exports, error reports). */
@Module({
  imports: [AuditModule],
  providers: [
    FilesService,
    FilesRepository,
    {
      provide: UrlSigner,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new UrlSigner(config.jwt.secret),
    },
    {
      provide: STORAGE_BACKEND,
      inject: [AppConfig, UrlSigner, Clock],
      useFactory: (config: AppConfig, signer: UrlSigner, clock: Clock): StorageBackend =>
        config.files.backend === 's3'
          ? new S3StorageBackend(config.files.s3)
          : new LocalStorageBackend(
              config.files.localRoot,
              signer,
              `${config.files.publicApiUrl}/${config.app.apiPrefix}`,
              () => clock.now(),
            ),
    },
  ],
  exports: [FilesService, FilesRepository, UrlSigner],
})
export class FileStorageModule implements OnModuleDestroy {
  constructor(@Inject(STORAGE_BACKEND) private readonly storage: StorageBackend) {}

  onModuleDestroy(): void {
    if (this.storage instanceof S3StorageBackend) this.storage.destroy();
  }
}

/** See README.md in this folder. The routes: files and attachments. */
@Module({
  imports: [AuditModule, FileStorageModule],
  controllers: [FilesController, AttachmentsController],
  providers: [AttachmentsService, AttachmentChildrenRegistration],
})
export class FilesModule {}
