import type { EntityManager } from 'typeorm';

/**
 * What the users module needs from sign-in (`auth`) without importing it: `auth` depends on
 * `users` (it reads and writes accounts through `UserAccountsService`), so the arrow back is this
 * port, declared here and implemented and provided (globally) by `auth`
 * (`AuthAccountSessions`). See docs/architecture.md, "auth and users".
 */
export abstract class AccountSessions {
  /** Ends every session of `userId` now (revokes its live refresh tokens), in its own transaction. */
  abstract endAll(userId: string): Promise<void>;

  /**
   * Issues a single-use password-setting token for `userId` valid until `expiresAt`, in the
   * caller's transaction, and returns the link (absolute URL) that carries it.
   */
  abstract issuePasswordLink(
    manager: EntityManager,
    userId: string,
    expiresAt: Date,
  ): Promise<string>;
}

/** How long an invitation link (a new account's or an organization's invitation) stays valid, in ms. */
export const INVITATION_TOKEN_TTL_MS = 7 * 86_400_000;
