import { conflict, defineErrors, failure, rule } from '../../core/http';

/** The files module's error codes (README "Error codes"): uploads and attachments. */
export const FilesErrors = defineErrors({
  multipart_required: rule(() => 'Send the file as multipart/form-data field "file"'),
  file_required: rule(() => ({
    detail: 'The multipart field "file" is missing',
    pointer: '/file',
  })),
  upload_missing: rule(() => 'Nothing was uploaded to the URL yet'),
  unsupported_file_type: failure(
    415,
    () => 'The file content is not an accepted type, or does not match its declared content type',
  ),
  /** `maxBytes`: the configured upload limit (FILES_MAX_UPLOAD_BYTES). */
  payload_too_large: failure(413, (maxBytes: number) => ({
    detail: `Files may be at most ${maxBytes} bytes`,
    meta: { maxBytes },
  })),
  invalid_file: rule(() => ({ detail: 'fileId is not a ready file of yours', pointer: '/fileId' })),
  /** A record keeps the file by a restricting key (a document version): it cannot be deleted. */
  file_in_use: conflict(
    () => 'The file is in use (a document version keeps it) and cannot be deleted',
  ),
  invalid_entity: rule((entityType: string) => ({
    detail: `entityId is not a ${entityType} of yours`,
    pointer: '/entityId',
  })),
});
