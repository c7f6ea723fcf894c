import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Conditions, returningRows, selectPage } from '../../core/database';
import type { ListQuery } from '../../core/http';
import type { EmailMode, NotificationChannel, PreferenceRow } from './notification-types';

/** A `notifications` row as selected by {@link NotificationsRepository}. */
export interface NotificationRow {
  id: string;
  recipient_user_id: string;
  type: string;
  level: string;
  title: string;
  body: string | null;
  actor_user_id: string | null;
  entity_type: string | null;
  entity_id: string | null;
  action_path: string | null;
  data: Record<string, unknown>;
  read_at: Date | null;
  created_at: Date;
}

/** What one batch insert writes: the same notification for every recipient. */
export interface NotificationInsert {
  recipientUserIds: string[];
  type: string;
  level: string;
  title: string;
  body: string | null;
  actorUserId: string | null;
  entityType: string | null;
  entityId: string | null;
  actionPath: string | null;
  data: Record<string, unknown>;
  dedupeKey: string | null;
}

/** One e-mail delivery to insert (status `queued` or `skipped`). */
export interface DeliveryInsert {
  notificationId: string;
  recipientUserId: string;
  status: 'queued' | 'skipped';
  emailMode: Exclude<EmailMode, 'off'> | null;
  groupKey: string;
}

/** A group of queued e-mail deliveries that is due (one e-mail each). */
export interface DueMailGroup {
  organization_id: string;
  recipient_user_id: string;
  group_key: string;
  email_mode: 'immediate' | 'digest_daily';
}

/** A claimed queued delivery with its notification, for the e-mail. */
export interface ClaimedDelivery {
  id: string;
  attempts: number;
  notification_id: string;
  type: string;
  title: string;
  body: string | null;
  action_path: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

const COLUMNS = `id, recipient_user_id, type, level, title, body, actor_user_id, entity_type, entity_id,
  action_path, data, read_at, created_at`;
const UNREAD = 'read_at IS NULL AND archived_at IS NULL';

/**
 * The only SQL on `notifications`, `notification_deliveries`, `notification_preferences` and
 * `notification_counters`. Methods take the caller's transaction and the organization id first
 * (the mail sweep's `dueMailGroups` is the cross-tenant path, inside `runAsSystem`), put the
 * organization in every WHERE and never open a transaction. Every statement that changes a row's
 * unread state returns what changed so the service moves the counter by exactly that much.
 */
@Injectable()
export class NotificationsRepository {
  /**
   * One INSERT for every recipient (`unnest`), skipping recipients who already hold `dedupeKey`
   * (ON CONFLICT DO NOTHING on the partial unique index): returns the rows written.
   */
  async insertMany(
    manager: EntityManager,
    orgId: string,
    row: NotificationInsert,
  ): Promise<NotificationRow[]> {
    return manager.query<NotificationRow[]>(
      `INSERT INTO notifications (organization_id, recipient_user_id, type, level, title, body,
                                  actor_user_id, entity_type, entity_id, action_path, data, dedupe_key)
       SELECT $1, recipient, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
         FROM unnest($2::uuid[]) AS recipient
       ON CONFLICT (organization_id, recipient_user_id, dedupe_key) WHERE dedupe_key IS NOT NULL
       DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        orgId,
        row.recipientUserIds,
        row.type,
        row.level,
        row.title,
        row.body,
        row.actorUserId,
        row.entityType,
        row.entityId,
        row.actionPath,
        JSON.stringify(row.data),
        row.dedupeKey,
      ],
    );
  }

  /**
   * Adds `count` (per user, > 0) new notifications to the unread and live counters, creating
   * missing ones; returns the new unread counts. One statement for any number of users.
   */
  async incrementCounters(
    manager: EntityManager,
    orgId: string,
    changes: { userId: string; count: number }[],
  ): Promise<Map<string, number>> {
    if (changes.length === 0) return new Map();
    const rows = await manager.query<{ user_id: string; unread: number }[]>(
      `INSERT INTO notification_counters AS c (organization_id, user_id, unread, live)
       SELECT $1, u.user_id, u.count, u.count FROM unnest($2::uuid[], $3::int[]) AS u(user_id, count)
       ON CONFLICT (organization_id, user_id)
       DO UPDATE SET unread = c.unread + EXCLUDED.unread, live = c.live + EXCLUDED.live
       RETURNING user_id, unread`,
      [orgId, changes.map((c) => c.userId), changes.map((c) => c.count)],
    );
    return new Map(rows.map((r) => [r.user_id, r.unread]));
  }

  /**
   * Moves one person's unread counter by `delta` (a read: -1, an unread: +1, read-all: -n) and
   * the live one by `liveDelta` (an archive: -1), and returns the new unread count; the counter
   * exists once the person received anything.
   */
  async moveCounter(
    manager: EntityManager,
    orgId: string,
    userId: string,
    delta: number,
    liveDelta = 0,
  ): Promise<number> {
    const [row] = await manager.query<{ unread: number }[]>(
      `INSERT INTO notification_counters AS c (organization_id, user_id, unread, live)
       VALUES ($1, $2, GREATEST($3::int, 0), GREATEST($4::int, 0))
       ON CONFLICT (organization_id, user_id)
       DO UPDATE SET unread = c.unread + $3::int, live = c.live + $4::int
       RETURNING unread`,
      [orgId, userId, delta, liveDelta],
    );
    return row.unread;
  }

  /**
   * The maintained counts (one primary-key read; zeros when the person never had any): `unread`
   * and `live` (not archived), the totals of the notification lists.
   */
  async counts(
    manager: EntityManager,
    orgId: string,
    userId: string,
  ): Promise<{ unread: number; live: number }> {
    const [row] = await manager.query<{ unread: number; live: number }[]>(
      'SELECT unread, live FROM notification_counters WHERE organization_id = $1 AND user_id = $2',
      [orgId, userId],
    );
    return row ?? { unread: 0, live: 0 };
  }

  /** The maintained unread count (one primary-key read; 0 when the person never had any). */
  async unreadCount(manager: EntityManager, orgId: string, userId: string): Promise<number> {
    const [row] = await manager.query<{ unread: number }[]>(
      'SELECT unread FROM notification_counters WHERE organization_id = $1 AND user_id = $2',
      [orgId, userId],
    );
    return row?.unread ?? 0;
  }

  /**
   * One keyset page of the recipient's live (not archived) notifications by id (uuid v7: creation
   * order), newest first by default, through `ix_notifications_recipient|unread` (org, recipient,
   * id DESC). `unread` keeps unread (or read) ones only; `count` supplies the total (the service
   * passes the maintained counters).
   */
  list(
    manager: EntityManager,
    orgId: string,
    userId: string,
    query: ListQuery<'createdAt', 'unread'>,
    count?: (load: () => Promise<number>) => Promise<number>,
  ): Promise<{ rows: NotificationRow[]; total: number; nextCursor?: string }> {
    const [sort] = query.sort;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .add('recipient_user_id = ?', userId)
      .add('archived_at IS NULL');
    if (query.filters.unread === true) where.add('read_at IS NULL');
    if (query.filters.unread === false) where.add('read_at IS NOT NULL');
    where.addFilter(query.filter);
    return selectPage<NotificationRow>(manager, {
      select: COLUMNS,
      from: 'notifications',
      where,
      order: `id ${sort.direction}`,
      query,
      keyset: { column: 'id', type: 'uuid', direction: sort.direction, id: false },
      count,
    });
  }

  /** The recipient's live notification, or undefined (another person's is as missing). */
  async findOwn(
    manager: EntityManager,
    orgId: string,
    userId: string,
    id: string,
  ): Promise<NotificationRow | undefined> {
    const [row] = await manager.query<NotificationRow[]>(
      `SELECT ${COLUMNS} FROM notifications
        WHERE organization_id = $1 AND recipient_user_id = $2 AND id = $3 AND archived_at IS NULL`,
      [orgId, userId, id],
    );
    return row;
  }

  /** Marks one own notification read (or unread); returns whether its unread state changed. */
  async setRead(
    manager: EntityManager,
    orgId: string,
    userId: string,
    id: string,
    read: boolean,
    at: Date,
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE notifications SET read_at = $5
        WHERE organization_id = $1 AND recipient_user_id = $2 AND id = $3 AND archived_at IS NULL
          AND (read_at IS NULL) = $4
        RETURNING id`,
      [orgId, userId, id, read, read ? at : null],
    );
    return rows.length > 0;
  }

  /** Marks every unread notification created at or before `before` read; returns how many. */
  async readAll(
    manager: EntityManager,
    orgId: string,
    userId: string,
    before: Date,
    at: Date,
  ): Promise<number> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE notifications SET read_at = $4
        WHERE organization_id = $1 AND recipient_user_id = $2 AND ${UNREAD} AND created_at <= $3
        RETURNING id`,
      [orgId, userId, before, at],
    );
    return rows.length;
  }

  /** Archives one own notification; undefined when none, else whether it was unread. */
  async archive(
    manager: EntityManager,
    orgId: string,
    userId: string,
    id: string,
    at: Date,
  ): Promise<{ wasUnread: boolean } | undefined> {
    const [row] = await returningRows<{ was_unread: boolean }>(
      manager,
      `UPDATE notifications n SET archived_at = $4
         FROM (SELECT id, read_at IS NULL AS was_unread FROM notifications
                WHERE organization_id = $1 AND recipient_user_id = $2 AND id = $3
                  AND archived_at IS NULL FOR UPDATE) old
        WHERE n.id = old.id
        RETURNING old.was_unread`,
      [orgId, userId, id, at],
    );
    return row ? { wasUnread: row.was_unread } : undefined;
  }

  /** Records e-mail deliveries (one statement). */
  async insertDeliveries(
    manager: EntityManager,
    orgId: string,
    rows: DeliveryInsert[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO notification_deliveries
              (organization_id, notification_id, recipient_user_id, channel, status, email_mode, group_key)
       SELECT $1, d.notification_id, d.recipient_user_id, 'email', d.status, d.email_mode, d.group_key
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[])
              AS d(notification_id, recipient_user_id, status, email_mode, group_key)`,
      [
        orgId,
        rows.map((r) => r.notificationId),
        rows.map((r) => r.recipientUserId),
        rows.map((r) => r.status),
        rows.map((r) => r.emailMode),
        rows.map((r) => r.groupKey),
      ],
    );
  }

  /** The stored preferences of these users for these types (`*` included by the caller). */
  preferencesOf(
    manager: EntityManager,
    orgId: string,
    userIds: readonly string[],
    types: readonly string[],
  ): Promise<(PreferenceRow & { userId: string })[]> {
    return manager.query(
      `SELECT user_id AS "userId", type, channel, enabled, email_mode AS "emailMode"
         FROM notification_preferences
        WHERE organization_id = $1 AND user_id = ANY($2::uuid[]) AND type = ANY($3::text[])
        ORDER BY type, channel`,
      [orgId, [...userIds], [...types]],
    );
  }

  /** Replaces one person's preferences in the organization with `rows`. */
  async replacePreferences(
    manager: EntityManager,
    orgId: string,
    userId: string,
    rows: {
      type: string;
      channel: NotificationChannel;
      enabled: boolean;
      emailMode: EmailMode | null;
    }[],
  ): Promise<void> {
    await manager.query(
      'DELETE FROM notification_preferences WHERE organization_id = $1 AND user_id = $2',
      [orgId, userId],
    );
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO notification_preferences (organization_id, user_id, type, channel, enabled, email_mode)
       SELECT $1, $2, p.type, p.channel, p.enabled, p.email_mode
         FROM unnest($3::text[], $4::text[], $5::boolean[], $6::text[])
              AS p(type, channel, enabled, email_mode)`,
      [
        orgId,
        userId,
        rows.map((r) => r.type),
        rows.map((r) => r.channel),
        rows.map((r) => r.enabled),
        rows.map((r) => r.emailMode),
      ],
    );
  }

  /**
   * Cross-tenant (mail sweep, `runAsSystem`): groups of queued e-mail deliveries that are due at
   * `now` — an `immediate` group (one recipient, one target) once its oldest item is
   * `coalesceMs` old; a `digest_daily` group (one recipient per organization) once its oldest item
   * is from an earlier UTC day.
   */
  dueMailGroups(manager: EntityManager, now: Date, coalesceMs: number): Promise<DueMailGroup[]> {
    return manager.query<DueMailGroup[]>(
      `SELECT organization_id, recipient_user_id, group_key, email_mode
         FROM notification_deliveries
        WHERE status = 'queued' AND channel = 'email'
        GROUP BY organization_id, recipient_user_id, group_key, email_mode
       HAVING (email_mode = 'immediate' AND min(created_at) <= $1::timestamptz - make_interval(secs => $2::double precision / 1000))
           OR (email_mode = 'digest_daily'
               AND date_trunc('day', min(created_at) AT TIME ZONE 'UTC') < date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'))
        ORDER BY min(created_at)
        LIMIT 500`,
      [now, coalesceMs],
    );
  }

  /**
   * Locks (`FOR UPDATE SKIP LOCKED`) the queued deliveries of one due group created at or before
   * `now`, with their notification, oldest first; another sweeper holding them yields none.
   */
  claimGroup(
    manager: EntityManager,
    orgId: string,
    group: DueMailGroup,
    now: Date,
  ): Promise<ClaimedDelivery[]> {
    return manager.query<ClaimedDelivery[]>(
      `SELECT d.id, d.attempts, n.id AS notification_id, n.type, n.title, n.body, n.action_path, n.data, n.created_at
         FROM notification_deliveries d
         JOIN notifications n ON n.id = d.notification_id
        WHERE d.organization_id = $1 AND d.recipient_user_id = $2 AND d.group_key = $3
          AND d.email_mode = $4 AND d.status = 'queued' AND d.channel = 'email' AND d.created_at <= $5
        ORDER BY n.created_at, n.id
        FOR UPDATE OF d SKIP LOCKED`,
      [orgId, group.recipient_user_id, group.group_key, group.email_mode, now],
    );
  }

  /** Sets the outcome of claimed deliveries (attempts + 1; `sent_at` when sent). */
  async settleDeliveries(
    manager: EntityManager,
    orgId: string,
    ids: string[],
    outcome: { status: 'queued' | 'sent' | 'failed' | 'skipped'; error: string | null; at: Date },
  ): Promise<void> {
    await manager.query(
      `UPDATE notification_deliveries
          SET status = $3::text, attempts = attempts + 1, last_error = $4,
              sent_at = CASE WHEN $3::text = 'sent' THEN $5::timestamptz ELSE sent_at END
        WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [orgId, ids, outcome.status, outcome.error, outcome.at],
    );
  }
}
