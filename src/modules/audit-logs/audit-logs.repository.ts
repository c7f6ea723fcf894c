import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Conditions, selectPage, historyPageConditions, utcMicros } from '../../core/database';
import { ListQuery } from '../../core/http';

export type AuditLogFilter =
  'action' | 'entityType' | 'entityId' | 'actorUserId' | 'createdFrom' | 'createdTo';

export interface AuditLogRow {
  id: string;
  /** Null until the sealer has chained the row (as `prev_hash` and `hash`). */
  seq: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  changes: Record<string, unknown>;
  request_id: string | null;
  ip: string | null;
  created_at: Date;
  prev_hash: string | null;
  hash: string | null;
}

const FILTER_SQL: Record<AuditLogFilter, string> = {
  action: 'action = ?',
  entityType: 'entity_type = ?',
  entityId: 'entity_id = ?',
  actorUserId: 'actor_user_id = ?',
  createdFrom: 'created_at >= ?',
  createdTo: 'created_at < ?',
};

/** One audited change of one record, for its timeline (`entityHistory`). */
export interface EntityHistoryRow {
  id: string;
  /** `created_at` as exact UTC text with microseconds (`2026-01-31T09:00:00.123456Z`). */
  at: string;
  action: string;
  actor_user_id: string | null;
  changes: Record<string, unknown>;
}

/**
 * Reads of one organization's audit chain, newest first, on the caller's transaction (`manager`,
 * from `TenantDatabase.run(organizationId, …)`: row-level security). The table is `audit`'s; this
 * is its read-only list query (writes and chain verification stay in `AuditService`).
 */
@Injectable()
export class AuditLogsRepository {
  /**
   * One page in (`created_at`, `id`) order, by page or by keyset cursor on that pair: unsealed
   * rows (no `seq` yet) are listed like sealed ones, and the index
   * `ix_audit_logs_organization_created` serves both directions.
   */
  async list(
    manager: EntityManager,
    organizationId: string,
    query: ListQuery<'createdAt', AuditLogFilter>,
  ): Promise<{ rows: AuditLogRow[]; total: number; nextCursor?: string }> {
    const where = new Conditions().add('organization_id = ?', organizationId);
    for (const [name, value] of Object.entries(query.filters) as [AuditLogFilter, unknown][]) {
      where.add(FILTER_SQL[name], value);
    }
    const direction = query.sort[0]?.direction === 'ASC' ? 'ASC' : 'DESC';
    where.addFilter(query.filter);
    return selectPage<AuditLogRow>(manager, {
      select: `id, seq, action, entity_type, entity_id, actor_user_id, actor_api_key_id, changes,
                 request_id, ip, created_at, prev_hash, hash`,
      from: 'audit_logs',
      where,
      order: `created_at ${direction}, id ${direction}`,
      query,
      keyset: { column: 'created_at', type: 'timestamptz', direction },
    });
  }

  /**
   * One record's `create`/`update`/`delete` entries, newest first in (`created_at` DESC, `id`
   * DESC), strictly older than `before` when given, at most `limit`: an index range scan of
   * `ix_audit_logs_entity_timeline` whatever the record's history length.
   */
  entityHistory(
    manager: EntityManager,
    organizationId: string,
    entityType: string,
    entityId: string,
    before: { at: string; id: string } | null,
    limit: number,
  ): Promise<EntityHistoryRow[]> {
    const where = historyPageConditions(
      'l',
      'created_at',
      organizationId,
      { entityType, entityId },
      before,
    ).add(`l.action IN ('create', 'update', 'delete')`);
    return manager.query<EntityHistoryRow[]>(
      `SELECT l.id, ${utcMicros('l.created_at')} AS at, l.action, l.actor_user_id, l.changes
         FROM audit_logs l WHERE ${where.sql}
        ORDER BY l.created_at DESC, l.id DESC LIMIT ${Number(limit)}`,
      where.params,
    );
  }
}
