import type { FilterNode } from './filter.types';

/** A saved filter (view) as a list applies it. */
export interface SavedFilterSpec {
  /** The list it was saved for (`ListDefinition.resource`). */
  resource: string;
  filter: FilterNode | null;
  sort: string | null;
}

/**
 * Saved filters as lists read them (`?savedFilterId=`), implemented by the saved-filters module
 * (global provider). Optional: while none is registered, `?savedFilterId=` is a 422.
 */
export abstract class SavedFilterSource {
  /** The filter `id` as `userId` may use it (own, or shared in orgId), or undefined (→ 404 `not_found`). */
  abstract find(
    orgId: string,
    userId: string | null,
    id: string,
  ): Promise<SavedFilterSpec | undefined>;
}
