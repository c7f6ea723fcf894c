import { conflict, defineErrors, rule } from '../../core/http';

/** The documents module's error codes (README "Error codes"): folders, documents, versions, locks. */
export const DocumentsErrors = defineErrors({
  /** `lockExpiresAt`: ISO time the holder's check-out ends. */
  document_locked: conflict((lockExpiresAt: string) => ({
    detail: `The document is checked out by someone else until ${lockExpiresAt}`,
    meta: { lockExpiresAt },
  })),
  not_checked_out: conflict(() => 'The document is not checked out by you'),
  version_conflict: conflict((currentVersion: number) => ({
    detail: `The document is at version ${currentVersion}: upload against the current version`,
    field: 'expectedVersion',
    meta: { currentVersion },
  })),
  version_precondition_required: rule(() => ({
    detail: 'Send If-Match with the document version, or expectedVersion with its currentVersion',
    pointer: '/expectedVersion',
  })),
  invalid_file: rule((pointer: string) => ({
    detail: 'fileId is not a ready file of this organization',
    pointer,
  })),
  invalid_folder: rule((pointer: string) => ({
    detail: 'Not a folder of this organization',
    pointer,
  })),
  invalid_status: rule((code: string) => ({
    detail: `${code} is not an active status for documents`,
    pointer: '/status',
    meta: { code },
  })),
  folder_not_empty: conflict(() => 'The folder still holds folders or documents'),
  invalid_expiry: rule((maxDays: number) => ({
    detail: `expiresAt must be in the future and at most ${maxDays} days ahead`,
    pointer: '/expiresAt',
    meta: { maxDays },
  })),
});
