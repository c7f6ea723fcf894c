import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../core/clock';
import { iso } from '../../core/database';
import {
  defineList,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { MemberDirectory } from '../memberships';
import { RealtimePublisher, userRoom } from '../realtime';
import { RolesService } from '../roles';
import type {
  BroadcastDto,
  NotificationDto,
  NotificationPreferencesDto,
  PutNotificationPreferencesDto,
  ReadAllResultDto,
} from './dto/notification.dto';
import {
  isNotificationType,
  NOTIFICATION_TYPE_CODES,
  NOTIFICATION_TYPES,
  NotificationLevel,
  resolveChannels,
} from './notification-types';
import { NotificationsErrors } from './notifications.errors';
import {
  DeliveryInsert,
  NotificationRow,
  NotificationsRepository,
} from './notifications.repository';

/** What `notify` sends (SPEC-P3 §4; the contract of issue 17 §4). */
export interface NotifyRequest {
  organizationId: string;
  recipientUserIds: string[];
  /** A code of `NOTIFICATION_TYPES`; anything else throws (a programming error). */
  type: string;
  actorUserId: string | null;
  target?: { entityType: string; entityId: string } | null;
  /** 1–200 characters (longer titles are cut). */
  title: string;
  body?: string;
  actionPath?: string | null;
  data?: Record<string, unknown>;
  /** Unique per recipient: a second notify with the same key writes nothing for them. */
  dedupeKey?: string | null;
  level?: NotificationLevel;
}

/** What `notify` did; run `afterCommit` once the caller's transaction committed (realtime). */
export interface NotifyResult {
  created: number;
  afterCommit: () => void;
}

export const NOTIFICATION_LIST: ListDefinition<'createdAt', 'unread'> = defineList({
  resource: 'notifications',
  sortable: ['createdAt'],
  defaultSort: '-createdAt',
  filters: { unread: 'boolean' },
  cursor: true,
  fields: {
    type: { type: 'text', column: 'notifications.type' },
    level: { type: 'text', column: 'notifications.level' },
    title: { type: 'text', column: 'notifications.title' },
    actorUserId: { type: 'uuid', column: 'notifications.actor_user_id' },
    entityType: { type: 'text', column: 'notifications.entity_type' },
    entityId: { type: 'text', column: 'notifications.entity_id' },
    readAt: { type: 'datetime', column: 'notifications.read_at' },
    createdAt: { type: 'datetime', column: 'notifications.created_at' },
  },
});

/** The realtime event carrying a person's new unread count. */
export const UNREAD_COUNT_EVENT = 'notifications.unread_count';

const toDto = (row: NotificationRow): NotificationDto => ({
  id: row.id,
  type: row.type,
  level: row.level as NotificationLevel,
  title: row.title,
  body: row.body,
  actorUserId: row.actor_user_id,
  target:
    row.entity_type && row.entity_id
      ? { entityType: row.entity_type, entityId: row.entity_id }
      : null,
  actionPath: row.action_path,
  data: row.data,
  readAt: iso(row.read_at),
  createdAt: iso(row.created_at)!,
});

/**
 * Notifications (SPEC-P3 §4): `notify` is the only sender; the rest are the recipient's own use
 * cases (list, unread count, read/unread, read-all, archive, preferences) and the admin broadcast.
 * Every change of a row's unread state moves the person's counter in the same transaction, so
 * the unread count is one primary-key read. Realtime pushes go after commit.
 */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: NotificationsRepository,
    private readonly members: MemberDirectory,
    private readonly realtime: RealtimePublisher,
    private readonly roles: RolesService,
    private readonly clock: Clock,
  ) {}

  /**
   * Writes one notification per recipient in the caller's transaction: recipients are filtered
   * to active members of the organization, never the actor; `dedupeKey` skips recipients who
   * already have it; one INSERT for all of them, their unread counters bumped, their e-mail
   * deliveries queued (or `skipped` per preference). Realtime pushes (`notification`,
   * `notifications.unread_count`) are in `afterCommit`.
   */
  async notify(manager: EntityManager, request: NotifyRequest): Promise<NotifyResult> {
    if (!isNotificationType(request.type)) {
      throw new Error(`notify: unknown notification type "${request.type}"`);
    }
    const orgId = request.organizationId;
    const wanted = [...new Set(request.recipientUserIds)].filter(
      (id) => id !== request.actorUserId,
    );
    const none: NotifyResult = { created: 0, afterCommit: () => undefined };
    if (wanted.length === 0) return none;
    const active = (await this.members.activeMembers(manager, orgId, { userIds: wanted })).map(
      (m) => m.userId,
    );
    if (active.length === 0) return none;
    const rows = await this.repository.insertMany(manager, orgId, {
      recipientUserIds: active,
      type: request.type,
      level: request.level ?? 'info',
      title: request.title.slice(0, 200),
      body: request.body ?? null,
      actorUserId: request.actorUserId,
      entityType: request.target?.entityType ?? null,
      entityId: request.target?.entityId ?? null,
      actionPath: request.actionPath ?? null,
      data: request.data ?? {},
      dedupeKey: request.dedupeKey ?? null,
    });
    if (rows.length === 0) return none;
    const recipients = rows.map((r) => r.recipient_user_id);
    const counts = await this.repository.incrementCounters(
      manager,
      orgId,
      recipients.map((userId) => ({ userId, count: 1 })),
    );
    const preferences = await this.repository.preferencesOf(manager, orgId, recipients, [
      request.type,
      '*',
    ]);
    const groupKey = request.target
      ? `${request.target.entityType}:${request.target.entityId}`
      : null;
    const deliveries: DeliveryInsert[] = [];
    const pushes: { userId: string; dto: NotificationDto }[] = [];
    for (const row of rows) {
      const channels = resolveChannels(
        request.type,
        preferences.filter((p) => p.userId === row.recipient_user_id),
      );
      deliveries.push({
        notificationId: row.id,
        recipientUserId: row.recipient_user_id,
        status: channels.email === 'off' ? 'skipped' : 'queued',
        emailMode: channels.email === 'off' ? null : channels.email,
        // A digest is one e-mail per person and organization; immediate ones coalesce per record.
        groupKey: channels.email === 'digest_daily' ? 'digest' : (groupKey ?? row.id),
      });
      if (channels.realtime) pushes.push({ userId: row.recipient_user_id, dto: toDto(row) });
    }
    await this.repository.insertDeliveries(manager, orgId, deliveries);
    return {
      created: rows.length,
      afterCommit: () => {
        for (const push of pushes) {
          this.realtime.notify(orgId, push.userId, { ...push.dto });
          this.pushUnread(orgId, push.userId, counts.get(push.userId) ?? 0);
        }
      },
    };
  }

  private pushUnread(orgId: string, userId: string, unread: number): void {
    this.realtime.toRoom(userRoom(orgId, userId), UNREAD_COUNT_EVENT, { unread });
  }

  /**
   * The caller's live notifications, newest first, cursor paged (`?unread=true|false`). The total
   * is the maintained counters (live, unread, or live minus unread): no COUNT over the person's
   * rows, so a page costs the same at 10 or 10,000 notifications (issue 17 target). Read-only:
   * two statements, one PostgreSQL round trip each (`TenantDatabase.read`).
   */
  list(
    orgId: string,
    userId: string,
    query: ListQuery<'createdAt', 'unread'>,
  ): Promise<Page<NotificationDto>> {
    return this.db.read(orgId, async (manager) => {
      const count = async () => {
        const { unread, live } = await this.repository.counts(manager, orgId, userId);
        if (query.filters.unread === true) return unread;
        return query.filters.unread === false ? live - unread : live;
      };
      const { rows, total, nextCursor } = await this.repository.list(
        manager,
        orgId,
        userId,
        query,
        // The maintained counters know nothing of ?filter=: a filtered page counts its rows.
        query.filter ? undefined : count,
      );
      return toPage(rows.map(toDto), total, query, nextCursor);
    });
  }

  /** The maintained unread count (one primary-key read, one PostgreSQL round trip). */
  unreadCount(orgId: string, userId: string): Promise<number> {
    return this.db.read(orgId, (manager) => this.repository.unreadCount(manager, orgId, userId));
  }

  /** Marks the caller's notification read (`read`) or unread; 404 for anyone else's. */
  async setRead(
    orgId: string,
    userId: string,
    id: string,
    read: boolean,
  ): Promise<NotificationDto> {
    const { dto, unread } = await this.db.run(orgId, async (manager) => {
      const changed = await this.repository.setRead(
        manager,
        orgId,
        userId,
        id,
        read,
        this.clock.now(),
      );
      const row = await this.repository.findOwn(manager, orgId, userId, id);
      if (!row) throw new NotFoundError('Notification');
      const count = changed
        ? await this.repository.moveCounter(manager, orgId, userId, read ? -1 : 1)
        : null;
      return { dto: toDto(row), unread: count };
    });
    if (unread !== null) this.pushUnread(orgId, userId, unread);
    return dto;
  }

  /** Marks every unread notification created at or before `before` (default now) read. */
  async readAll(orgId: string, userId: string, before: Date | null): Promise<ReadAllResultDto> {
    const now = this.clock.now();
    const result = await this.db.run(orgId, async (manager) => {
      const marked = await this.repository.readAll(manager, orgId, userId, before ?? now, now);
      const unread =
        marked > 0
          ? await this.repository.moveCounter(manager, orgId, userId, -marked)
          : await this.repository.unreadCount(manager, orgId, userId);
      return { marked, unread };
    });
    if (result.marked > 0) this.pushUnread(orgId, userId, result.unread);
    return result;
  }

  /** Archives the caller's notification (gone from lists and the count); 404 for anyone else's. */
  async archive(orgId: string, userId: string, id: string): Promise<void> {
    const unread = await this.db.run(orgId, async (manager) => {
      const archived = await this.repository.archive(manager, orgId, userId, id, this.clock.now());
      if (!archived) throw new NotFoundError('Notification');
      const unread = await this.repository.moveCounter(
        manager,
        orgId,
        userId,
        archived.wasUnread ? -1 : 0,
        -1,
      );
      return archived.wasUnread ? unread : null;
    });
    if (unread !== null) this.pushUnread(orgId, userId, unread);
  }

  /** The caller's stored preferences and the registry they apply to. */
  getPreferences(orgId: string, userId: string): Promise<NotificationPreferencesDto> {
    return this.db.read(orgId, async (manager) => {
      const rows = await this.repository.preferencesOf(
        manager,
        orgId,
        [userId],
        ['*', ...NOTIFICATION_TYPE_CODES],
      );
      return {
        preferences: rows.map((r) => ({
          type: r.type,
          channel: r.channel,
          enabled: r.enabled,
          emailMode: r.emailMode,
        })),
        types: NOTIFICATION_TYPE_CODES.map((type) => ({
          type,
          description: NOTIFICATION_TYPES[type].description,
          mutable: NOTIFICATION_TYPES[type].mutable,
          defaultChannels: [...NOTIFICATION_TYPES[type].defaultChannels],
          defaultEmailMode: NOTIFICATION_TYPES[type].defaultEmailMode,
        })),
      };
    });
  }

  /**
   * Replaces the caller's preferences. 422 `notification_type_not_mutable` (security notices),
   * `email_mode_needs_email_channel`, `duplicate_preference`; nothing is written then.
   */
  async putPreferences(
    orgId: string,
    userId: string,
    dto: PutNotificationPreferencesDto,
  ): Promise<NotificationPreferencesDto> {
    const seen = new Set<string>();
    const rows = dto.preferences.map((p, index) => {
      if (p.type !== '*' && isNotificationType(p.type) && !NOTIFICATION_TYPES[p.type].mutable) {
        throw NotificationsErrors.notification_type_not_mutable(index, p.type);
      }
      if (p.emailMode != null && p.channel !== 'email') {
        throw NotificationsErrors.email_mode_needs_email_channel(index);
      }
      const key = `${p.type}|${p.channel}`;
      if (seen.has(key)) throw NotificationsErrors.duplicate_preference(index);
      seen.add(key);
      return {
        type: p.type,
        channel: p.channel,
        enabled: p.enabled,
        emailMode: p.emailMode ?? null,
      };
    });
    await this.db.run(orgId, (manager) =>
      this.repository.replacePreferences(manager, orgId, userId, rows),
    );
    return this.getPreferences(orgId, userId);
  }

  /**
   * An announcement from an administrator to every active member of the organization (or those
   * holding `roleId`: 422 `invalid_role` when it is not a role of this organization), never the
   * sender. Type `broadcast`.
   */
  async broadcast(
    orgId: string,
    senderId: string,
    dto: BroadcastDto,
  ): Promise<{ created: number }> {
    if (dto.roleId && !(await this.roles.assignable(orgId, [dto.roleId])).has(dto.roleId)) {
      throw NotificationsErrors.invalid_role();
    }
    const result = await this.db.run(orgId, async (manager) => {
      const members = await this.members.activeMembers(manager, orgId, { roleId: dto.roleId });
      return this.notify(manager, {
        organizationId: orgId,
        recipientUserIds: members.map((m) => m.userId),
        type: 'broadcast',
        actorUserId: senderId,
        title: dto.title,
        body: dto.body,
        level: dto.level,
      });
    });
    result.afterCommit();
    return { created: result.created };
  }
}
