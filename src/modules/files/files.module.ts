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
import type { S3StorageBackend } from './storage/s3-storage.backend';
import { STORAGE_BACKEND, StorageBackend } from './storage/storage-backend';
import { UrlSigner } from './storage/url-signer';

/**
 * The S3 backend, required only when `FILE_STORAGE_BACKEND=s3`: the AWS SDK clients it imports
 * took ~0.5 s of module loading (busy 2-core machine, 2026-12-01) in every process and e2e test
 * file that stores files locally.
 */
function s3Backend(settings: AppConfig['files']['s3']): S3StorageBackend {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3StorageBackend: Backend } = require('./storage/s3-storage.backend') as {
    S3StorageBackend: typeof S3StorageBackend;
  };
  return new Backend(settings);
}

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
          ? s3Backend(config.files.s3)
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
    if (this.storage.name === 's3') (this.storage as S3StorageBackend).destroy();
  }
}

/** See README.md in this folder. The routes: files and attachments. */
@Module({
  imports: [AuditModule, FileStorageModule],
  controllers: [FilesController, AttachmentsController],
  providers: [AttachmentsService, AttachmentChildrenRegistration],
})
export class FilesModule {}
