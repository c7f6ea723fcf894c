import { defineErrors, rule } from '../../core/http';

/** The imports module's error codes (README "Error codes"). */
export const ImportsErrors = defineErrors({
  file_required: rule(() => ({
    detail: 'Send the CSV or XLSX as multipart field "file"',
    pointer: '/file',
  })),
  unsupported_import_file: rule(() => ({
    detail: 'Imports read CSV or XLSX files',
    pointer: '/file',
  })),
});
