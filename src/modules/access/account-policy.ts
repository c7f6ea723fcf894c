import type { Principal } from '../../core/auth';
import { AccessErrors } from './access.errors';

/**
 * The identity model of SPEC §5 and issue 13, written once. Every route that reads or changes an
 * account or a membership asks this policy (users, memberships, invitations, tenants, `/auth/me`).
 *
 * - A user account (email, name, password, 2FA, active flag, superuser flag) is a global identity
 *   owned by the person. Only the person themself (their own profile fields, through `/auth/me`) or
 *   a superuser may change it. No organization-level caller (an Owner/Admin role, an API key) may.
 * - An organization owns only its memberships: its admins see the users who are members of it
 *   (anyone else is 404, like an id that does not exist), change their roles, suspend, reactivate or
 *   remove their membership. A superuser's membership is changed by superusers only.
 * - The last active superuser can be neither demoted nor deactivated (409 `last_superuser`, checked
 *   under a lock by the users repository).
 */

/** Fields of an account its owner may change themself. */
export const SELF_SERVICE_ACCOUNT_FIELDS = ['fullName', 'language', 'timezone'] as const;
/** Every account field a change can touch (superusers may change all of them). */
export type AccountField =
  (typeof SELF_SERVICE_ACCOUNT_FIELDS)[number] | 'email' | 'isActive' | 'isSuperuser';

/** The caller must be a person (a signed-in user), not an API key: 403 `user_required`. */
export function requirePerson(caller: Principal): string {
  if (caller.kind !== 'user' || !caller.userId) {
    throw AccessErrors.user_required();
  }
  return caller.userId;
}

/**
 * May `caller` change these fields of the account `targetUserId`? Superusers may change any field
 * of any account; a person may change their own profile fields; nobody else may change anything
 * (403 `account_owned_by_person`). API keys never may (they are organization-level callers).
 */
export function assertMayChangeAccount(
  caller: Principal,
  targetUserId: string,
  fields: AccountField[],
): void {
  if (caller.kind === 'user' && caller.isSuperuser) return;
  const own = caller.kind === 'user' && caller.userId === targetUserId;
  const selfService = fields.every((f) =>
    (SELF_SERVICE_ACCOUNT_FIELDS as readonly string[]).includes(f),
  );
  if (own && selfService) return;
  throw AccessErrors.account_owned_by_person(own, fields);
}

/**
 * May `caller` change (roles, suspend, remove) the membership of this member in their
 * organization? Organization admins may, except for a superuser's membership (403
 * `superuser_protected`): no organization-level caller can act on a superuser.
 */
export function assertMayManageMembershipOf(
  caller: Principal,
  member: { userId: string; isSuperuser: boolean },
): void {
  if (member.isSuperuser && !(caller.kind === 'user' && caller.isSuperuser)) {
    throw AccessErrors.superuser_protected();
  }
}
