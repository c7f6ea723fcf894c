import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TargetRegistry } from '../../core/targets';
import { DomainEventConsumers } from '../domain-events';
import { FollowersService, FollowTarget } from '../followers';
import { notificationTitle } from './notification-titles';
import { NotificationsService, NotifyRequest } from './notifications.service';

/**
 * The fields of a domain event (issue 17 §2, `DomainEvent` of `src/modules/domain-events`) this
 * consumer reads; declared here so the mapping does not depend on the outbox's internals.
 */
export interface NotifiableEvent {
  eventId: string;
  organizationId: string | null;
  type: string;
  entityType: string;
  entityId: string | null;
  actorUserId: string | null;
  changedFields?: string[];
  data: Record<string, unknown>;
}

const asTarget = (value: unknown): FollowTarget | null => {
  const target = value as Partial<FollowTarget> | null | undefined;
  return target && typeof target.entityType === 'string' && typeof target.entityId === 'string'
    ? { entityType: target.entityType, entityId: target.entityId }
    : null;
};
const ids = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The `notifications` domain-event consumer (issue 17 §3): turns committed events into follows
 * and notifications, inside the relay's transaction. Delivery is at-least-once, so every write is
 * idempotent: follows are ON CONFLICT DO NOTHING, every notification carries a dedupe key built
 * from the event (or the comment / activity it is about).
 *
 * - `comment.created|updated`: the author and the (newly) mentioned follow the target;
 *   `comment.mention` to the mentioned; `comment.new` (created only) to the other followers,
 *   never the author.
 * - `activity.created|updated` with a new assignee: they follow; `activity.assigned` unless they
 *   assigned themselves. `activity.overdue`: to the assignee.
 * - `<type>.updated|deleted` of a registered target: `record.updated|deleted` to its followers
 *   except the actor (for a deletion: the followers in `data.followerIds`, since followers go with
 *   their target in the deleting transaction).
 *
 * Returns one after-commit callback with every realtime push.
 */
@Injectable()
export class NotificationsEventConsumer {
  readonly name = 'notifications';

  constructor(
    private readonly notifications: NotificationsService,
    private readonly followers: FollowersService,
    private readonly targets: TargetRegistry,
  ) {}

  async handle(manager: EntityManager, events: readonly NotifiableEvent[]): Promise<() => void> {
    const pushes: (() => void)[] = [];
    for (const event of events) {
      if (!event.organizationId) continue;
      const sends = await this.map(manager, event.organizationId, event);
      for (const request of sends) {
        const result = await this.notifications.notify(manager, request);
        pushes.push(result.afterCommit);
      }
    }
    return () => pushes.forEach((push) => push());
  }

  private async map(
    manager: EntityManager,
    orgId: string,
    event: NotifiableEvent,
  ): Promise<NotifyRequest[]> {
    const [resource, verb] = splitType(event.type);
    const data = event.data ?? {};
    const target = asTarget(data.target);
    if (resource === 'comment' && target && event.entityId) {
      if (verb !== 'created' && verb !== 'updated') return [];
      return this.comment(manager, orgId, event, target, verb);
    }
    if (resource === 'activity' && target && event.entityId) {
      return this.activity(manager, orgId, event, target, verb);
    }
    const targetType = this.targetTypeOf(resource);
    if ((verb === 'updated' || verb === 'deleted') && event.entityId && targetType) {
      return this.record(
        manager,
        orgId,
        event,
        { entityType: targetType, entityId: event.entityId },
        verb,
      );
    }
    return [];
  }

  private async comment(
    manager: EntityManager,
    orgId: string,
    event: NotifiableEvent,
    target: FollowTarget,
    verb: 'created' | 'updated',
  ): Promise<NotifyRequest[]> {
    const data = event.data;
    const commentId = event.entityId!;
    const author = event.actorUserId;
    const mentioned = ids(verb === 'created' ? data.mentionedUserIds : data.newlyMentionedUserIds);
    if (author && verb === 'created') {
      await this.followers.autoFollow(manager, orgId, target, [author], 'author');
    }
    await this.followers.autoFollow(manager, orgId, target, mentioned, 'mentioned');
    const label = await this.label(manager, orgId, target);
    const base = {
      organizationId: orgId,
      actorUserId: author,
      target,
      body: text(data.excerpt),
      actionPath: this.path(target),
      data: { commentId, parentId: data.parentId ?? null, label },
    };
    const requests: NotifyRequest[] = [
      {
        ...base,
        recipientUserIds: mentioned,
        type: 'comment.mention',
        title: notificationTitle('comment.mention', label),
        dedupeKey: `comment.mention:${commentId}`,
      },
    ];
    if (verb === 'created') {
      const followers = await this.followers.followerIds(manager, orgId, target);
      requests.push({
        ...base,
        recipientUserIds: followers.filter((id) => id !== author && !mentioned.includes(id)),
        type: 'comment.new',
        title: notificationTitle('comment.new', label),
        dedupeKey: `comment.new:${commentId}`,
      });
    }
    return requests;
  }

  private async activity(
    manager: EntityManager,
    orgId: string,
    event: NotifiableEvent,
    target: FollowTarget,
    verb: string,
  ): Promise<NotifyRequest[]> {
    const data = event.data;
    const assignee = typeof data.assigneeUserId === 'string' ? data.assigneeUserId : null;
    if (!assignee) return [];
    const label = await this.label(manager, orgId, target);
    const base = {
      organizationId: orgId,
      recipientUserIds: [assignee],
      actorUserId: event.actorUserId,
      target,
      body: text(data.summary),
      actionPath: this.path(target),
      data: { activityId: event.entityId, dueDate: data.dueDate ?? null, label },
    };
    if (verb === 'overdue') {
      return [
        {
          ...base,
          type: 'activity.overdue',
          level: 'warning',
          title: notificationTitle('activity.overdue', label),
          dedupeKey: `activity.overdue:${event.entityId}:${text(data.dueDate)}:${event.eventId}`,
        },
      ];
    }
    if (verb !== 'created' && verb !== 'updated') return [];
    if (assignee === data.previousAssigneeUserId) return [];
    await this.followers.autoFollow(manager, orgId, target, [assignee], 'assigned');
    if (assignee === event.actorUserId) return [];
    return [
      {
        ...base,
        type: 'activity.assigned',
        title: notificationTitle('activity.assigned', label),
        dedupeKey: `activity.assigned:${event.eventId}`,
      },
    ];
  }

  private async record(
    manager: EntityManager,
    orgId: string,
    event: NotifiableEvent,
    target: FollowTarget,
    verb: 'updated' | 'deleted',
  ): Promise<NotifyRequest[]> {
    const followers =
      verb === 'deleted'
        ? ids(event.data.followerIds)
        : await this.followers.followerIds(manager, orgId, target);
    if (followers.length === 0) return [];
    const label =
      verb === 'deleted'
        ? `${target.entityType} ${target.entityId}`
        : await this.label(manager, orgId, target);
    return [
      {
        organizationId: orgId,
        recipientUserIds: followers,
        type: verb === 'deleted' ? 'record.deleted' : 'record.updated',
        actorUserId: event.actorUserId,
        target,
        title: notificationTitle(verb === 'deleted' ? 'record.deleted' : 'record.updated', label),
        actionPath: verb === 'deleted' ? null : this.path(target),
        data: { changedFields: event.changedFields ?? [], label },
        dedupeKey: `${event.type}:${event.eventId}`,
      },
    ];
  }

  /**
   * The target type an audited record's events are about, or null when it is not a target.
   * Audit entity types are snake_case (`stock_location`, the table's singular) while target types
   * are the routes' kebab-case (`stock-location`), so both spellings name the same target.
   */
  private targetTypeOf(resource: string): string | null {
    if (this.targets.has(resource)) return resource;
    const kebab = resource.replace(/_/g, '-');
    return this.targets.has(kebab) ? kebab : null;
  }

  private async label(manager: EntityManager, orgId: string, target: FollowTarget) {
    if (!this.targets.has(target.entityType)) return target.entityType;
    const label = await this.targets.get(target.entityType).label(manager, orgId, target.entityId);
    return label ?? target.entityType;
  }

  private path(target: FollowTarget): string | null {
    return this.targets.has(target.entityType)
      ? this.targets.get(target.entityType).path(target.entityId)
      : null;
  }
}

const splitType = (type: string): [string, string] => {
  const dot = type.lastIndexOf('.');
  return dot < 0 ? [type, ''] : [type.slice(0, dot), type.slice(dot + 1)];
};

/** Registers {@link NotificationsEventConsumer} with the outbox relay (worker side). */
@Injectable()
export class NotificationsConsumerRegistration implements OnModuleInit {
  constructor(
    private readonly consumers: DomainEventConsumers,
    private readonly consumer: NotificationsEventConsumer,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this.consumer);
  }
}
