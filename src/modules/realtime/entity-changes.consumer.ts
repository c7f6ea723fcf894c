import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvent, DomainEventConsumer, DomainEventConsumers } from '../domain-events';
import { EntityAction, RealtimePublisher } from './realtime.publisher';

/**
 * The record types announced as `entity.changed`: the event's `entityType` → the type clients see
 * (and the readers' room, `readersRoom(org, type)`, which the gateway joins by permission).
 */
export const ANNOUNCED_ENTITY_TYPES: Readonly<Record<string, string>> = {
  product: 'products',
  contact: 'contacts',
};

/** More changes than this for one organization and type in a batch: one bulk announcement. */
export const BULK_EVENT_THRESHOLD = 50;

/** `created` → insert, `deleted` → delete, any other verb (updated, archived, moved) → update. */
function actionOf(eventType: string): EntityAction {
  const verb = eventType.slice(eventType.indexOf('.') + 1);
  if (verb === 'created') return 'insert';
  if (verb === 'deleted') return 'delete';
  return 'update';
}

/** One announcement: a change of one record, or a bulk change of one type (an import). */
export type Announcement =
  | { orgId: string; type: string; id: string; action: EntityAction }
  | { orgId: string; type: string; count: number };

/**
 * What a batch announces: one `entity.changed` per record (the last event of a record wins), or,
 * beyond {@link BULK_EVENT_THRESHOLD} records of one organization and type, one bulk event that
 * clients answer by refetching the list.
 */
export function announcementsOf(events: readonly DomainEvent[]): Announcement[] {
  const groups = new Map<string, Map<string, EntityAction>>();
  for (const event of events) {
    const type = ANNOUNCED_ENTITY_TYPES[event.entityType];
    if (!type || !event.entityId || !event.organizationId) continue;
    const key = `${event.organizationId}\u0000${type}`;
    const records = groups.get(key) ?? new Map<string, EntityAction>();
    records.set(event.entityId, actionOf(event.type));
    groups.set(key, records);
  }
  const announcements: Announcement[] = [];
  for (const [key, records] of groups) {
    const [orgId, type] = key.split('\u0000');
    if (records.size > BULK_EVENT_THRESHOLD) {
      announcements.push({ orgId, type, count: records.size });
      continue;
    }
    for (const [id, action] of records) announcements.push({ orgId, type, id, action });
  }
  return announcements;
}

/**
 * Realtime `entity.changed` as a domain-event consumer (`realtime`), in the worker: it writes
 * nothing and announces after the relay's commit, so clients hear only of committed changes (and,
 * the search consumer having run in that transaction, of indexed ones). Redelivery may announce a
 * change twice: announcements are hints to refetch, so that is harmless.
 */
@Injectable()
export class EntityChangesConsumer implements DomainEventConsumer, OnModuleInit {
  readonly name = 'realtime';

  constructor(
    private readonly consumers: DomainEventConsumers,
    private readonly publisher: RealtimePublisher,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  handle(_manager: EntityManager, events: readonly DomainEvent[]): Promise<() => void> {
    const announcements = announcementsOf(events);
    return Promise.resolve(() => {
      for (const a of announcements) {
        if ('count' in a) this.publisher.entitiesChanged(a.orgId, a.type, a.count);
        else this.publisher.entityChanged(a.orgId, a.type, a.id, a.action);
      }
    });
  }
}
