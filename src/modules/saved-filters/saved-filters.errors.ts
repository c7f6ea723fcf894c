import { defineErrors, forbidden, rule } from '../../core/http';

/** The saved-filters module's error codes (README "Error codes"). */
export const SavedFiltersErrors = defineErrors({
  unknown_resource: rule((resource: string) => ({
    detail: `${resource} is not a list that saved filters can apply to`,
    pointer: '/resource',
    meta: { resource },
  })),
  invalid_saved_filter: rule((pointer: string, detail: string, path?: string) => ({
    detail,
    pointer,
    meta: path === undefined ? undefined : { path },
  })),
  share_not_allowed: forbidden(() => ({
    detail: 'Sharing a saved filter needs the saved-filters:share permission',
    meta: { permission: 'saved-filters:share' },
  })),
  not_owner: forbidden(() => 'Only the owner may change or delete a saved filter'),
});
