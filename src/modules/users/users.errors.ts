import { conflict, defineErrors, rule } from '../../core/http';

/** The users module's error codes (README "Error codes"), including the `create-admin` command's. */
export const UsersErrors = defineErrors({
  cannot_deactivate_self: rule(() => ({
    detail: 'You cannot deactivate yourself',
    pointer: '/isActive',
  })),
  last_superuser: conflict(() => 'The installation needs at least one active superuser'),
  weak_password: rule((minLength: number) => `password must be at least ${minLength} characters`),
  invalid_email: rule(() => 'email is not valid'),
  admin_not_found: rule((email?: string) =>
    email ? `no superuser has the email ${email}` : 'there is no superuser',
  ),
  admin_ambiguous: rule(() => 'there are several superusers: name one with --email'),
});
