import { conflict, defineErrors, rule } from '../../core/http';

/** The roles module's error codes (README "Error codes"). */
export const RolesErrors = defineErrors({
  system_role_immutable: rule(() => 'System roles cannot be changed or deleted'),
  role_in_use: conflict(() => 'The role is assigned to a membership or an API key'),
});
