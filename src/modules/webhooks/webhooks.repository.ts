import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  deleteTenantRow,
  orderBy,
  returningRows,
  selectPage,
  updateVersioned,
} from '../../core/database';
import type { ListQuery } from '../../core/http';
import type { DeliveryStatus, PausedReason, SubscriptionStatus } from './webhook.entity';

/** A `webhook_subscriptions` row as selected here (`secret_sealed` only where asked for). */
export interface SubscriptionRow {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  url: string;
  event_types: string[];
  status: SubscriptionStatus;
  paused_reason: PausedReason | null;
  consecutive_failures: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** A `webhook_deliveries` row as listed (no payload). */
export interface DeliveryRow {
  id: string;
  organization_id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  first_attempt_at: Date | null;
  last_attempt_at: Date | null;
  response_status: number | null;
  latency_ms: number | null;
  response_body: string | null;
  error: string | null;
  attempt_log: AttemptLogEntry[];
  created_at: Date;
  updated_at: Date;
}

/** One attempt as kept in `attempt_log` (newest last, at most {@link ATTEMPT_LOG_SIZE}). */
export interface AttemptLogEntry {
  at: string;
  responseStatus: number | null;
  latencyMs: number | null;
  error: string | null;
}

/** A due delivery claimed by the dispatcher, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  organization_id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  first_attempt_at: Date | null;
  url: string;
  secret_sealed: string;
}

/** The outcome of one attempt, as the dispatcher records it. */
export interface AttemptOutcome {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  responseStatus: number | null;
  latencyMs: number | null;
  responseBody: string | null;
  error: string | null;
  at: Date;
}

/** The editable fields of a subscription. */
export interface SubscriptionFields {
  name: string;
  description: string | null;
  url: string;
  eventTypes: string[];
  status: SubscriptionStatus;
  pausedReason: PausedReason | null;
}

export type SubscriptionSort = 'name' | 'createdAt';
export type SubscriptionFilter = 'status';
export type DeliverySort = 'createdAt';
export type DeliveryFilter = 'status' | 'eventType';

/** How many attempts `attempt_log` keeps (the oldest drop out). */
export const ATTEMPT_LOG_SIZE = 25;

const SUB_COLUMNS = `webhook_subscriptions.id, webhook_subscriptions.organization_id, webhook_subscriptions.name,
  webhook_subscriptions.description, webhook_subscriptions.url, webhook_subscriptions.event_types,
  webhook_subscriptions.status, webhook_subscriptions.paused_reason, webhook_subscriptions.consecutive_failures,
  webhook_subscriptions.created_at, webhook_subscriptions.updated_at, webhook_subscriptions.version`;
const DELIVERY_COLUMNS = `webhook_deliveries.id, webhook_deliveries.organization_id, webhook_deliveries.subscription_id,
  webhook_deliveries.event_id, webhook_deliveries.event_type, webhook_deliveries.status, webhook_deliveries.attempts,
  webhook_deliveries.next_attempt_at, webhook_deliveries.first_attempt_at, webhook_deliveries.last_attempt_at,
  webhook_deliveries.response_status, webhook_deliveries.latency_ms, webhook_deliveries.response_body,
  webhook_deliveries.error, webhook_deliveries.attempt_log, webhook_deliveries.created_at, webhook_deliveries.updated_at`;

const SUB_SORT: Record<SubscriptionSort, string> = {
  name: 'webhook_subscriptions.name',
  createdAt: 'webhook_subscriptions.created_at',
};

/**
 * The only SQL on `webhook_subscriptions` and `webhook_deliveries`. Tenant methods take the
 * caller's transaction and the organization id first and filter by it (row-level security is the
 * second wall). The cross-tenant methods of the worker — the fan-out (`activeSubscriptions`,
 * `insertDeliveries`, in the relay's system transaction) and the dispatcher (`claimDue`,
 * `recordAttempt`, `countFailure`) — take organization ids from the rows they work on and still
 * name `organization_id` in every WHERE.
 */
@Injectable()
export class WebhooksRepository {
  /** A page of the organization's subscriptions (`status` filter, `?filter=`, sort by name/createdAt). */
  pageSubscriptions(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<SubscriptionSort, SubscriptionFilter>,
  ): Promise<{ rows: SubscriptionRow[]; total: number }> {
    const where = new Conditions().add('webhook_subscriptions.organization_id = ?', orgId);
    where.addIf(query.filters.status, 'webhook_subscriptions.status = ?');
    where.addFilter(query.filter);
    return selectPage<SubscriptionRow>(manager, {
      select: SUB_COLUMNS,
      from: 'webhook_subscriptions',
      where,
      order: orderBy(query.sort, SUB_SORT, 'webhook_subscriptions.id ASC'),
      query,
    });
  }

  /** One of the organization's subscriptions (row-locked with `lock`), or undefined. */
  async findSubscription(
    manager: EntityManager,
    orgId: string,
    id: string,
    lock = false,
  ): Promise<SubscriptionRow | undefined> {
    const [row] = await manager.query<SubscriptionRow[]>(
      `SELECT ${SUB_COLUMNS} FROM webhook_subscriptions
        WHERE organization_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [orgId, id],
    );
    return row;
  }

  /** Inserts a subscription with its sealed secret (never the plain one). */
  async insertSubscription(
    manager: EntityManager,
    orgId: string,
    row: { id: string; secretSealed: string } & SubscriptionFields,
  ): Promise<SubscriptionRow> {
    const [inserted] = await returningRows<SubscriptionRow>(
      manager,
      `INSERT INTO webhook_subscriptions (id, organization_id, name, description, url, event_types,
         status, paused_reason, secret_sealed)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${SUB_COLUMNS}`,
      [
        row.id,
        orgId,
        row.name,
        row.description,
        row.url,
        row.eventTypes,
        row.status,
        row.pausedReason,
        row.secretSealed,
      ],
    );
    return inserted;
  }

  /** Writes every editable field at `version` (412 when the row moved on); resumes reset failures. */
  updateSubscription(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    fields: SubscriptionFields,
  ): Promise<SubscriptionRow> {
    return updateVersioned<SubscriptionRow>(manager, {
      table: 'webhook_subscriptions',
      organizationId: orgId,
      id,
      version,
      set: `name = $4, description = $5, url = $6, event_types = $7, status = $8::varchar, paused_reason = $9,
        consecutive_failures = CASE WHEN $8::varchar = 'active' THEN 0 ELSE consecutive_failures END`,
      values: [
        fields.name,
        fields.description,
        fields.url,
        fields.eventTypes,
        fields.status,
        fields.pausedReason,
      ],
      returning: SUB_COLUMNS,
    });
  }

  /** Replaces the sealed secret at `version` (412 when the row moved on). */
  setSecret(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    secretSealed: string,
  ): Promise<SubscriptionRow> {
    return updateVersioned<SubscriptionRow>(manager, {
      table: 'webhook_subscriptions',
      organizationId: orgId,
      id,
      version,
      set: 'secret_sealed = $4',
      values: [secretSealed],
      returning: SUB_COLUMNS,
    });
  }

  /** Deletes a subscription; its deliveries go with it (`ON DELETE CASCADE`). */
  async deleteSubscription(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'webhook_subscriptions', orgId, id);
  }

  /** A page of one subscription's deliveries, newest first. */
  pageDeliveries(
    manager: EntityManager,
    orgId: string,
    subscriptionId: string,
    query: ListQuery<DeliverySort, DeliveryFilter>,
  ): Promise<{ rows: DeliveryRow[]; total: number }> {
    const where = new Conditions()
      .add('webhook_deliveries.organization_id = ?', orgId)
      .add('webhook_deliveries.subscription_id = ?', subscriptionId);
    where.addIf(query.filters.status, 'webhook_deliveries.status = ?');
    where.addIf(query.filters.eventType, 'webhook_deliveries.event_type = ?');
    where.addFilter(query.filter);
    return selectPage<DeliveryRow>(manager, {
      select: DELIVERY_COLUMNS,
      from: 'webhook_deliveries',
      where,
      order: orderBy(
        query.sort,
        { createdAt: 'webhook_deliveries.created_at' },
        'webhook_deliveries.id DESC',
      ),
      query,
    });
  }

  /** Makes a delivery due now again (a redelivery: its next attempt is a new one). */
  async requeueDelivery(
    manager: EntityManager,
    orgId: string,
    subscriptionId: string,
    id: string,
  ): Promise<DeliveryRow | undefined> {
    const [row] = await returningRows<DeliveryRow>(
      manager,
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now()
        WHERE organization_id = $1 AND subscription_id = $2 AND id = $3 RETURNING ${DELIVERY_COLUMNS}`,
      [orgId, subscriptionId, id],
    );
    return row;
  }

  /** Active subscriptions of these organizations (the fan-out, in the relay's transaction). */
  activeSubscriptions(
    manager: EntityManager,
    orgIds: string[],
  ): Promise<{ id: string; organization_id: string; event_types: string[] }[]> {
    return manager.query(
      `SELECT id, organization_id, event_types FROM webhook_subscriptions
        WHERE organization_id = ANY($1::uuid[]) AND status = 'active'`,
      [orgIds],
    );
  }

  /**
   * Inserts due deliveries, skipping (subscription, event) pairs that exist (`uq_webhook_deliveries_event`):
   * handling an event twice inserts nothing the second time. Returns how many were new.
   */
  async insertDeliveries(
    manager: EntityManager,
    rows: {
      organizationId: string;
      subscriptionId: string;
      eventId: string;
      eventType: string;
      payload: Record<string, unknown>;
    }[],
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted = await manager.query<{ id: string }[]>(
      `INSERT INTO webhook_deliveries (organization_id, subscription_id, event_id, event_type, payload,
         status, next_attempt_at)
       SELECT r.organization_id, r.subscription_id, r.event_id, r.event_type, r.payload, 'pending', now()
         FROM jsonb_to_recordset($1::jsonb) AS r(organization_id uuid, subscription_id uuid,
              event_id uuid, event_type text, payload jsonb)
       ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING id`,
      [
        JSON.stringify(
          rows.map((r) => ({
            organization_id: r.organizationId,
            subscription_id: r.subscriptionId,
            event_id: r.eventId,
            event_type: r.eventType,
            payload: r.payload,
          })),
        ),
      ],
    );
    return inserted.length;
  }

  /**
   * Claims up to `limit` due deliveries of active subscriptions (oldest due first, `SKIP LOCKED`,
   * so two dispatchers never take the same row) and pushes their `next_attempt_at` `leaseMs`
   * ahead: a dispatcher that dies mid-attempt leaves them due again once the lease lapses, so no
   * delivery is lost. Returns them with the subscription's URL and sealed secret.
   */
  claimDue(manager: EntityManager, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return returningRows<ClaimedDelivery>(
      manager,
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d
          JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.organization_id = d.organization_id
          WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= now() AND s.status = 'active'
          ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
       UPDATE webhook_deliveries d
          SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
         FROM due, webhook_subscriptions s
        WHERE d.id = due.id AND s.id = d.subscription_id AND s.organization_id = d.organization_id
       RETURNING d.id, d.organization_id, d.subscription_id, d.event_id, d.event_type, d.payload,
                 d.attempts, d.first_attempt_at, s.url, s.secret_sealed`,
      [limit, leaseMs],
    );
  }

  /** Records one attempt's outcome on the delivery (attempts + 1, log entry appended and capped). */
  async recordAttempt(
    manager: EntityManager,
    orgId: string,
    id: string,
    outcome: AttemptOutcome,
  ): Promise<void> {
    const entry: AttemptLogEntry = {
      at: outcome.at.toISOString(),
      responseStatus: outcome.responseStatus,
      latencyMs: outcome.latencyMs,
      error: outcome.error,
    };
    await manager.query(
      `UPDATE webhook_deliveries
          SET status = $3, next_attempt_at = $4, attempts = attempts + 1,
              first_attempt_at = COALESCE(first_attempt_at, $5), last_attempt_at = $5,
              response_status = $6, latency_ms = $7, response_body = $8, error = $9,
              attempt_log = (SELECT COALESCE(jsonb_agg(e ORDER BY n), '[]'::jsonb) FROM (
                SELECT e, n FROM jsonb_array_elements(attempt_log || jsonb_build_array($10::jsonb))
                  WITH ORDINALITY AS x(e, n) ORDER BY n DESC LIMIT ${ATTEMPT_LOG_SIZE}) kept),
              updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [
        orgId,
        id,
        outcome.status,
        outcome.nextAttemptAt,
        outcome.at,
        outcome.responseStatus,
        outcome.latencyMs,
        outcome.responseBody,
        outcome.error,
        JSON.stringify(entry),
      ],
    );
  }

  /** A delivery succeeded: the subscription's run of failures ends. */
  async resetFailures(
    manager: EntityManager,
    orgId: string,
    subscriptionId: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE webhook_subscriptions SET consecutive_failures = 0
        WHERE organization_id = $1 AND id = $2 AND consecutive_failures <> 0`,
      [orgId, subscriptionId],
    );
  }

  /**
   * A delivery failed for good: counts it, and pauses the subscription (`failures`) when the run
   * reaches `pauseAfter`, or at once with `gone` (a 410). Returns the row when this call paused it.
   */
  async countFailure(
    manager: EntityManager,
    orgId: string,
    subscriptionId: string,
    pauseAfter: number,
    gone: boolean,
  ): Promise<SubscriptionRow | undefined> {
    const [current] = await manager.query<SubscriptionRow[]>(
      `SELECT ${SUB_COLUMNS} FROM webhook_subscriptions
        WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [orgId, subscriptionId],
    );
    if (!current) return undefined;
    const failures = current.consecutive_failures + 1;
    const reason: PausedReason | null =
      current.status !== 'active'
        ? null
        : gone
          ? 'gone'
          : failures >= pauseAfter
            ? 'failures'
            : null;
    const [row] = await returningRows<SubscriptionRow>(
      manager,
      `UPDATE webhook_subscriptions SET consecutive_failures = $3,
              status = CASE WHEN $4::text IS NULL THEN status ELSE 'paused' END,
              paused_reason = COALESCE($4::text, paused_reason),
              version = CASE WHEN $4::text IS NULL THEN version ELSE version + 1 END,
              updated_at = CASE WHEN $4::text IS NULL THEN updated_at ELSE now() END
        WHERE organization_id = $1 AND id = $2 RETURNING ${SUB_COLUMNS}`,
      [orgId, subscriptionId, failures, reason],
    );
    return reason ? row : undefined;
  }

  /** Pending (pending + retrying) and failed deliveries of every organization (metrics). */
  async stats(manager: EntityManager): Promise<{ pending: number; failed: number }> {
    const [row] = await manager.query<{ pending: number; failed: number }[]>(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'retrying'))::int AS pending,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM webhook_deliveries`,
    );
    return row;
  }
}
