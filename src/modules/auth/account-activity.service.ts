import { Injectable } from '@nestjs/common';
import type { ListQuery } from '../../core/http';
import { LocalCache, PRINCIPALS_CACHE } from '../../core/cache';
import { TenantDatabase } from '../../core/tenancy';
import {
  AccountActivityRepository,
  LoginEventRow,
  SessionRow,
} from './account-activity.repository';

/**
 * A person's own sign-in activity (`/auth/me/login-history`, `/auth/me/sessions`): each call is
 * one `runAsSystem('authentication')` transaction (a person's rows span organizations); the SQL is
 * `AccountActivityRepository`'s.
 */
@Injectable()
export class AccountActivityService {
  constructor(
    private readonly repository: AccountActivityRepository,
    private readonly db: TenantDatabase,
    private readonly local: LocalCache,
  ) {}

  /** See `AccountActivityRepository.loginEvents`. */
  loginEvents(
    userId: string,
    query: ListQuery,
  ): Promise<{ rows: LoginEventRow[]; total: number; nextCursor?: string }> {
    return this.db.runAsSystem('authentication', (m) =>
      this.repository.loginEvents(m, userId, query),
    );
  }

  /** See `AccountActivityRepository.activeSessions` (`now`: when a token counts as expired). */
  activeSessions(userId: string, now: Date): Promise<SessionRow[]> {
    return this.db.runAsSystem('authentication', (m) =>
      this.repository.activeSessions(m, userId, now),
    );
  }

  /** Revokes one of the person's active sessions; false when it is not theirs or not active. */
  async revokeSession(userId: string, familyId: string, now: Date): Promise<boolean> {
    const revoked = await this.db.runAsSystem('authentication', (m) =>
      this.repository.revokeSession(m, userId, familyId, now),
    );
    // The auth guard keeps "this session is active" with the caller: drop it everywhere.
    if (revoked) await this.local.invalidate(PRINCIPALS_CACHE);
    return revoked;
  }
}
