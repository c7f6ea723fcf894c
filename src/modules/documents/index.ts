// Public surface of the documents module.
import {
  DocumentEntity,
  DocumentShareLinkEntity,
  DocumentVersionEntity,
  FolderEntity,
} from './document.entity';

export { DocumentsModule } from './documents.module';
export { DocumentTargetsModule } from './document-targets';
export { DocumentsWorkerModule } from './document-text.consumer';
export { DocumentsService } from './documents.service';
export {
  DocumentEntity,
  DocumentShareLinkEntity,
  DocumentVersionEntity,
  FolderEntity,
} from './document.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const DOCUMENTS_ENTITIES = [
  FolderEntity,
  DocumentEntity,
  DocumentVersionEntity,
  DocumentShareLinkEntity,
];
