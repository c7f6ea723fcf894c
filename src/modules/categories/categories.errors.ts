import { defineErrors, rule } from '../../core/http';

/** The categories module's error codes (README "Error codes"). */
export const CategoriesErrors = defineErrors({
  /** `pointer`: the field that named the category (`/categoryId` on products). */
  invalid_category: rule((type: string, pointer: string) => ({
    detail: `Not a ${type} category of this organization`,
    pointer,
  })),
  invalid_parent: rule((type: string) => ({
    detail: `parentId must be a ${type} category of this organization`,
    pointer: '/parentId',
  })),
});
