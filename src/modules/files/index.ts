// Public surface of the files module.
import { AttachmentEntity, StoredFileEntity } from './file.entity';

export { FilesModule, FileStorageModule } from './files.module';
export { FilesService } from './files.service';
export { UploadFileDto } from './dto/file.dto';
export { AttachmentEntity, StoredFileEntity } from './file.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const FILES_ENTITIES = [StoredFileEntity, AttachmentEntity];
export { sniff as sniffFileType } from './file-signature';
export type { SniffedType } from './file-signature';
export type { AttachmentHistoryRow } from './files.repository';
export { contentDisposition } from './storage/storage-backend';
