import { defineErrors, rule } from '../../core/http';

/** The api-keys module's error codes (README "Error codes"). */
export const ApiKeysErrors = defineErrors({
  unknown_role: rule(() => ({ detail: 'No such role in this organization', pointer: '/roleId' })),
});
