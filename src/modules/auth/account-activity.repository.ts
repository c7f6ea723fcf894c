import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';
import { Conditions, selectPage } from '../../core/database/sql';
import type { ListQuery } from '../../core/http';

/** Where a request came from, as recorded on sessions and login events. */
export interface ClientInfo {
  /** `request.ip` (the client behind trusted proxies, see TRUST_PROXY). */
  ip: string | null;
  /** The `User-Agent` header, cut to 512 characters. */
  userAgent: string | null;
}

export interface LoginEventRow {
  id: string;
  outcome: 'success' | 'failure' | 'lockout';
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
}

export interface SessionRow {
  id: string;
  created_at: Date;
  last_used_at: Date;
  ip: string | null;
  user_agent: string | null;
}

/**
 * The only SQL over a person's sign-in activity: `login_events` and the refresh-token families
 * seen as sessions. Every method runs on the caller's transaction (`manager`, opened by
 * `AuthService` / `AccountActivityService`) and takes the user id right after it; nothing here
 * crosses people.
 */
@Injectable()
export class AccountActivityRepository {
  /** Records one attempt, in the caller's transaction (with its audit row). */
  async recordLoginEvent(
    manager: Pick<EntityManager, 'query'>,
    userId: string,
    outcome: LoginEventRow['outcome'],
    reason: string | null,
    client: ClientInfo,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO login_events (user_id, outcome, reason, ip, user_agent) VALUES ($1, $2, $3, $4, $5)`,
      [userId, outcome, reason, client.ip, client.userAgent],
    );
  }

  /**
   * A page of the person's events, newest first (`id` is a UUID v7, so it orders by time);
   * `beforeId` continues after a cursor, else `offset` applies.
   */
  /**
   * The person's login events, newest first by default; uuid v7 ids follow creation time, so the id
   * is the sort and keyset key (`?cursor=` signed and checked by `selectPage`).
   */
  loginEvents(
    manager: EntityManager,
    userId: string,
    query: ListQuery,
  ): Promise<{ rows: LoginEventRow[]; total: number; nextCursor?: string }> {
    const direction = query.sort[0]?.direction ?? 'DESC';
    return selectPage<LoginEventRow>(manager, {
      select: 'id, outcome, reason, ip, user_agent, created_at',
      from: 'login_events',
      where: new Conditions().add('user_id = ?', userId).addFilter(query.filter),
      order: `id ${direction}`,
      query,
      keyset: { column: 'id', type: 'uuid', direction, id: false },
    });
  }

  /**
   * Active sessions: refresh-token families of the person with a token still usable at `now`,
   * most recently used first. The latest token of a family says where it was last used.
   */
  activeSessions(manager: EntityManager, userId: string, now: Date): Promise<SessionRow[]> {
    return manager.query<SessionRow[]>(
      `SELECT family_id AS id, min(created_at) AS created_at, max(created_at) AS last_used_at,
              (array_agg(ip ORDER BY created_at DESC, id DESC))[1] AS ip,
              (array_agg(user_agent ORDER BY created_at DESC, id DESC))[1] AS user_agent
         FROM refresh_tokens
        WHERE user_id = $1
        GROUP BY family_id
       HAVING bool_or(used_at IS NULL AND revoked_at IS NULL AND expires_at > $2)
        ORDER BY max(created_at) DESC, family_id DESC`,
      [userId, now],
    );
  }

  /** Revokes one of the person's active sessions; false when it is not theirs or not active. */
  async revokeSession(
    manager: EntityManager,
    userId: string,
    familyId: string,
    now: Date,
  ): Promise<boolean> {
    const revoked = await returningRows<{ id: string }>(
      manager,
      `UPDATE refresh_tokens SET revoked_at = $3
        WHERE family_id = $2 AND user_id = $1 AND revoked_at IS NULL
          AND EXISTS (SELECT 1 FROM refresh_tokens a
                       WHERE a.family_id = $2 AND a.user_id = $1 AND a.used_at IS NULL
                         AND a.revoked_at IS NULL AND a.expires_at > $3)
        RETURNING id`,
      [userId, familyId, now],
    );
    return revoked.length > 0;
  }
}
