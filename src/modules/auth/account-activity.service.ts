import { Injectable } from '@nestjs/common';
import type { ListQuery } from '../../core/http';
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
  revokeSession(userId: string, familyId: string, now: Date): Promise<boolean> {
    return this.db.runAsSystem('authentication', (m) =>
      this.repository.revokeSession(m, userId, familyId, now),
    );
  }
}
