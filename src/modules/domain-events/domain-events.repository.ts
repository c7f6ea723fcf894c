import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';
import type { DomainEvent, DomainEventInput } from './domain-event';

interface StoredEvent {
  id: string;
  event_id: string;
  organization_id: string | null;
  type: string;
  entity_type: string;
  entity_id: string | null;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  changed_fields: string[];
  data: Record<string, unknown>;
  causation_depth: number;
  request_id: string | null;
  occurred_at: Date;
}

const COLUMNS = `id::text AS id, event_id, organization_id, type, entity_type, entity_id, actor_user_id,
  actor_api_key_id, changed_fields, data, causation_depth, request_id, occurred_at`;

const toEvent = (row: StoredEvent): DomainEvent => ({
  id: row.id,
  eventId: row.event_id,
  organizationId: row.organization_id,
  type: row.type,
  entityType: row.entity_type,
  entityId: row.entity_id,
  actorUserId: row.actor_user_id,
  actorApiKeyId: row.actor_api_key_id,
  changedFields: row.changed_fields,
  data: row.data,
  causationDepth: row.causation_depth,
  requestId: row.request_id,
  occurredAt: new Date(row.occurred_at).toISOString(),
});

/**
 * A data-modifying statement (INSERT/UPDATE/DELETE without RETURNING, placeholders `$1`…`$n`)
 * sent together with the outbox INSERT as a CTE: one round trip for both.
 */
export interface AlongsideStatement {
  sql: string;
  params: readonly unknown[];
}

/** The outbox's numbers for metrics: pending (deliverable or backing off), dead-lettered, lag. */
export interface OutboxStats {
  pending: number;
  failed: number;
  /** Age in seconds of the oldest pending event (0 when none): how far the relay is behind. */
  oldestPendingSeconds: number;
}

/**
 * The only SQL on `domain_events`. `insertStatement`'s INSERT runs in the publisher's transaction (tenant or
 * system); every other method runs in the relay's system transaction (`runAsSystem('outbox-relay')`),
 * since claiming spans organizations. Never opens a transaction itself.
 */
@Injectable()
export class DomainEventsRepository {
  /**
   * The one INSERT of `events` (or `undefined` when there is nothing to write), for the caller to
   * run now or with its `COMMIT` (`atCommit`). It sends no `NOTIFY`: PostgreSQL makes every
   * transaction that notified commit one at a time (one cluster-wide lock from pre-commit to the
   * end of the commit), a queue for every write of every organization; `DomainEvents` wakes the
   * relay after commit instead (Redis, `OUTBOX_WAKE_UP`). `alongside`, when given, is one more
   * data-modifying statement of the caller's (placeholders `$1`…`$n` of its own `params`, no
   * RETURNING) written by the same statement as a CTE (the audit row of the change); PostgreSQL
   * runs it exactly once, even with no events.
   */
  insertStatement(
    events: readonly DomainEventInput[],
    alongside?: AlongsideStatement,
  ): AlongsideStatement | undefined {
    if (events.length === 0) return alongside;
    const rows = events.map((e) => ({
      organization_id: e.organizationId,
      type: e.type,
      entity_type: e.entityType,
      entity_id: e.entityId,
      actor_user_id: e.actorUserId,
      actor_api_key_id: e.actorApiKeyId,
      changed_fields: e.changedFields ?? [],
      data: e.data ?? {},
      causation_depth: e.causationDepth ?? 0,
      request_id: e.requestId ?? null,
    }));
    const params = [...(alongside?.params ?? []), JSON.stringify(rows)];
    return {
      sql: `${alongside ? `WITH alongside AS (${alongside.sql})` : ''}
       INSERT INTO domain_events (organization_id, type, entity_type, entity_id, actor_user_id,
                                  actor_api_key_id, changed_fields, data, causation_depth, request_id)
       SELECT organization_id, type, entity_type, entity_id, actor_user_id, actor_api_key_id,
              changed_fields, data, causation_depth, request_id
         FROM jsonb_array_elements($${params.length}::jsonb) WITH ORDINALITY AS a(value, position),
              jsonb_to_record(a.value) AS e(organization_id uuid, type text, entity_type text,
              entity_id text, actor_user_id uuid, actor_api_key_id uuid, changed_fields text[],
              data jsonb, causation_depth integer, request_id text)
        ORDER BY position`,
      params,
    };
  }

  /**
   * Locks up to `limit` of the oldest deliverable events (`FOR UPDATE SKIP LOCKED`: a concurrent
   * relay skips them) until the caller's transaction ends. `only.id`: that one event (isolating a
   * failing batch); `only.except`: events not to take again in this pass (they just failed).
   *
   * The claim walks the pending index in id order and stops after `limit` rows. Left to itself the
   * planner estimates a handful of live rows (the outbox is drained as fast as it fills) and picks a
   * bitmap heap scan + sort, which visits every dead (delivered, not yet vacuumed) tuple of the
   * table on each claim: during a 200,000-row import (one event per row, bitmap plan) a claim
   * took 472 ms at 175,000 dead tuples, the index walk 1.8 ms (EXPLAIN ANALYZE, same table), and
   * the bitmap plan's cost grows with every delivered event, so a long bulk write slowed down
   * quadratically. The index walk marks the dead entries it passes (btree kill bits), so later
   * claims skip them without reading the heap. Bitmap scans and sorts are switched off for this
   * one statement (`set_config(..., true)`), then the transaction's settings are put back, so
   * the consumers' queries in the same transaction plan as usual.
   */
  async claim(
    manager: EntityManager,
    limit: number,
    only: { id?: string; except?: readonly string[] } = {},
  ): Promise<DomainEvent[]> {
    const [saved] = await manager.query<{ bitmap: string; sort: string }[]>(
      `SELECT current_setting('enable_bitmapscan') AS bitmap, current_setting('enable_sort') AS sort,
              set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`,
    );
    const rows = await manager.query<StoredEvent[]>(
      `SELECT ${COLUMNS} FROM domain_events
        WHERE failed_at IS NULL AND available_at <= clock_timestamp()
          AND ($2::bigint IS NULL OR id = $2) AND NOT (id = ANY ($3::bigint[]))
        ORDER BY domain_events.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit, only.id ?? null, only.except ?? []],
    );
    await manager.query(
      `SELECT set_config('enable_bitmapscan', $1, true), set_config('enable_sort', $2, true)`,
      [saved.bitmap, saved.sort],
    );
    return rows.map(toEvent);
  }

  /** Deletes delivered events (in the transaction that ran the consumers). */
  async remove(manager: EntityManager, ids: readonly string[]): Promise<void> {
    await manager.query(`DELETE FROM domain_events WHERE id = ANY ($1::bigint[])`, [ids]);
  }

  /**
   * Counts a failed delivery of event `id`: `attempts + 1`, retried after `retryAfterMs`, or
   * dead-lettered (`failed_at` set, never claimed again) once attempts reach `maxAttempts`.
   * Returns the new attempt count and whether it was dead-lettered (nothing when the row is gone).
   */
  async recordFailure(
    manager: EntityManager,
    id: string,
    error: string,
    retryAfterMs: (attempts: number) => number,
    maxAttempts: number,
  ): Promise<{ attempts: number; deadLettered: boolean } | null> {
    const [row] = await manager.query<{ attempts: number }[]>(
      `SELECT attempts FROM domain_events WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!row) return null;
    const attempts = row.attempts + 1;
    const deadLettered = attempts >= maxAttempts;
    await manager.query(
      `UPDATE domain_events SET attempts = $2, last_error = $3,
              available_at = clock_timestamp() + ($4::int * interval '1 millisecond'),
              failed_at = CASE WHEN $5::boolean THEN clock_timestamp() END
        WHERE id = $1`,
      [id, attempts, error.slice(0, 2000), retryAfterMs(attempts), deadLettered],
    );
    return { attempts, deadLettered };
  }

  /** Puts dead-lettered events back in the queue (operator action after a fix); returns how many. */
  async requeueFailed(manager: EntityManager): Promise<number> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE domain_events SET failed_at = NULL, attempts = 0, available_at = clock_timestamp()
        WHERE failed_at IS NOT NULL RETURNING id`,
      [],
    );
    return rows.length;
  }

  async stats(manager: EntityManager): Promise<OutboxStats> {
    const [row] = await manager.query<OutboxStats[]>(
      `SELECT count(*) FILTER (WHERE failed_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed,
              coalesce(extract(epoch FROM clock_timestamp() - min(occurred_at) FILTER (WHERE failed_at IS NULL)), 0)::float8
                AS "oldestPendingSeconds"
         FROM domain_events`,
    );
    return row;
  }
}
