import { defineErrors, forbidden } from '../../core/http';

/** The access module's error codes (README "Error codes"): account and membership policy. */
export const AccessErrors = defineErrors({
  user_required: forbidden(() => 'This route needs a signed-in person, not an API key'),
  account_owned_by_person: forbidden((own: boolean, fields: string[]) => ({
    detail: own
      ? 'Only a superuser can change these fields of an account'
      : 'An account belongs to its person: only they or a superuser can change it',
    meta: { fields },
  })),
  superuser_protected: forbidden(() => 'Only a superuser can change the membership of a superuser'),
});
