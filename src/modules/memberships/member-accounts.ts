import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The users module's answer to "does this account exist?": `exists` looks in `users` through
 * `UsersRepository`, in the caller's transaction (`manager`; accounts are not tenant rows, so the
 * caller runs it as a system path). Resolves `true` for any account with that id, active or not.
 */
export interface MemberAccountCheck {
  exists(manager: EntityManager, userId: string): Promise<boolean>;
}

/**
 * Where memberships asks whether an account exists before attaching it (`POST /memberships`),
 * filled by users from its `onModuleInit` (the `ExistenceChecks` pattern of core/database): users
 * imports memberships, so memberships cannot import users back (cycle). Provided and exported by
 * `MembershipsModule`, one instance per process; memberships are created only through the API.
 */
@Injectable()
export class MemberAccounts {
  private check?: MemberAccountCheck;

  /** Sets the users module's check; a second registration is a wiring bug (throws). */
  register(check: MemberAccountCheck): void {
    if (this.check) throw new Error('MemberAccounts: registered twice');
    this.check = check;
  }

  /**
   * Whether the account `userId` exists (see {@link MemberAccountCheck}). Throws when users did not
   * register (a wiring bug: the users module is not loaded).
   */
  exists(manager: EntityManager, userId: string): Promise<boolean> {
    if (!this.check)
      throw new Error('MemberAccounts: no check registered (users module not loaded)');
    return this.check.exists(manager, userId);
  }
}
