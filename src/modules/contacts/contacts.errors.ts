import { defineErrors, rule } from '../../core/http';

/** The contacts module's error codes (README "Error codes"). */
export const ContactsErrors = defineErrors({
  /** `field`: the list with several primary entries (`emails`, `phones`, `addresses`). */
  multiple_primary: rule((field: string) => ({
    detail: `Only one of ${field} can be primary`,
    pointer: `/${field}`,
  })),
});
