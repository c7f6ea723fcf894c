import { conflict, defineErrors, forbidden, rule, unauthorized } from '../../core/http';

/** Why a caller may not act in the organization it named (403 `organization_forbidden`). */
const ORGANIZATION_FORBIDDEN = {
  not_yours: 'X-Organization-Id must be the id of one of your organizations',
  not_a_member: 'You are not a member of this organization',
  key_of_another: 'This API key belongs to another organization',
} as const;

/**
 * The auth module's error codes (README "Error codes"): authentication, sign-in, passwords,
 * two-factor and sign-up. Unknown email, wrong password and a locked account are one code.
 */
export const AuthErrors = defineErrors({
  route_not_declared: forbidden(() => 'This route declares no permission'),
  /** A write in the context of an archived organization (organizations README "Read-only"). */
  organization_archived: forbidden((organizationId: string | null) => ({
    detail: 'This organization is archived: it can be read but not changed until it is restored',
    meta: { organizationId },
  })),
  organization_forbidden: forbidden(
    (why: keyof typeof ORGANIZATION_FORBIDDEN) => ORGANIZATION_FORBIDDEN[why],
  ),
  invalid_token: unauthorized(
    (
      detail:
        'Invalid token' | 'The token is invalid or expired' = 'The token is invalid or expired',
    ) => detail,
  ),
  refresh_token_reused: unauthorized(() => 'Refresh token was already used; sign in again'),
  invalid_api_key: unauthorized(() => 'The API key is invalid or revoked'),
  invalid_credentials: unauthorized(() => 'Email or password is incorrect'),
  totp_required: unauthorized(() => 'Enter the code from your authenticator app'),
  invalid_current_password: rule(() => ({
    detail: 'The current password is incorrect',
    pointer: '/currentPassword',
  })),
  invalid_reset_token: rule(() => ({
    detail: 'This reset link is invalid, used or expired',
    pointer: '/token',
  })),
  totp_already_enabled: rule(() => 'Two-factor authentication is already on'),
  totp_not_enrolling: rule(() => 'Start enrolment first (POST /auth/2fa/enrol)'),
  invalid_totp_code: rule(() => ({ detail: 'The code is not valid', pointer: '/code' })),
  invalid_signup_token: rule(() => ({
    detail: 'This sign-up link is invalid, used or expired',
    pointer: '/token',
  })),
  account_exists: conflict(() => 'An account with this email exists; sign in instead'),
  organization_code_taken: conflict(() => ({
    detail: 'This organization code is taken',
    field: 'organizationCode',
  })),
});
