import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';

/** Why someone follows a target. */
export type FollowReason = 'manual' | 'author' | 'mentioned' | 'assigned';

/** A `followers` row as selected by {@link FollowersRepository}. */
export interface FollowerRow {
  user_id: string;
  reason: FollowReason;
  created_at: Date;
}

/**
 * The only SQL on `followers`. Methods take the caller's transaction and the organization id
 * first, put it in every WHERE and never open a transaction.
 */
@Injectable()
export class FollowersRepository {
  /** The followers of one target, oldest first. */
  list(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<FollowerRow[]> {
    return manager.query<FollowerRow[]>(
      `SELECT user_id, reason, created_at FROM followers
        WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3
        ORDER BY created_at, user_id`,
      [orgId, entityType, entityId],
    );
  }

  /** Adds followers (one statement); someone already following keeps their first reason. */
  async add(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
    userIds: readonly string[],
    reason: FollowReason,
  ): Promise<void> {
    if (userIds.length === 0) return;
    await manager.query(
      `INSERT INTO followers (organization_id, entity_type, entity_id, user_id, reason)
       SELECT $1, $2, $3, u, $5 FROM unnest($4::uuid[]) AS u
       ON CONFLICT (organization_id, entity_type, entity_id, user_id) DO NOTHING`,
      [orgId, entityType, entityId, [...new Set(userIds)], reason],
    );
  }

  /** Removes one follower; whether there was one. */
  async remove(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
    userId: string,
  ): Promise<boolean> {
    const rows = await returningRows<{ user_id: string }>(
      manager,
      `DELETE FROM followers
        WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3 AND user_id = $4
        RETURNING user_id`,
      [orgId, entityType, entityId, userId],
    );
    return rows.length > 0;
  }

  /** Removes every follower of a target (the target is being deleted). */
  async removeAll(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<string[]> {
    const rows = await returningRows<{ user_id: string }>(
      manager,
      `DELETE FROM followers WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3
       RETURNING user_id`,
      [orgId, entityType, entityId],
    );
    return rows.map((row) => row.user_id);
  }
}
