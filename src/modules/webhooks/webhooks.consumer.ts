import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvent, DomainEventConsumer, DomainEventConsumers } from '../domain-events';
import { WebhookDispatcher } from './webhook-dispatcher';
import { matchesEventType } from './webhook-event-types';
import { WebhooksRepository } from './webhooks.repository';

/**
 * The payload POSTed for an event (issue 19): `{id, type, occurredAt, organizationId, data:
 * {entityType, entityId, changedFields, ...event data}}`. Built once, at fan-out, and stored on
 * the delivery: every attempt sends the same bytes.
 */
export function webhookPayload(event: DomainEvent): Record<string, unknown> {
  return {
    id: event.eventId,
    type: event.type,
    occurredAt: event.occurredAt,
    organizationId: event.organizationId,
    data: {
      ...event.data,
      entityType: event.entityType,
      entityId: event.entityId,
      changedFields: event.changedFields,
    },
  };
}

/**
 * The `webhooks` domain-event consumer: for each committed event of an organization, one
 * `webhook_deliveries` row per active subscription of that organization whose patterns match its
 * type, in the relay's transaction (so the rows commit exactly when the event is consumed) and
 * idempotent (`uq_webhook_deliveries_event`: a redelivered event inserts nothing). After the
 * commit it wakes the dispatcher; the rows are the queue, so a crash before that loses nothing.
 */
@Injectable()
export class WebhooksEventConsumer implements DomainEventConsumer, OnModuleInit {
  readonly name = 'webhooks';

  constructor(
    private readonly consumers: DomainEventConsumers,
    private readonly repository: WebhooksRepository,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  async handle(
    manager: EntityManager,
    events: readonly DomainEvent[],
  ): Promise<void | (() => void)> {
    const orgIds = [
      ...new Set(events.map((e) => e.organizationId).filter((id): id is string => !!id)),
    ];
    if (orgIds.length === 0) return;
    const subscriptions = await this.repository.activeSubscriptions(manager, orgIds);
    if (subscriptions.length === 0) return;
    const rows = events.flatMap((event) =>
      subscriptions
        .filter(
          (s) =>
            s.organization_id === event.organizationId &&
            matchesEventType(s.event_types, event.type),
        )
        .map((s) => ({
          organizationId: s.organization_id,
          subscriptionId: s.id,
          eventId: event.eventId,
          eventType: event.type,
          payload: webhookPayload(event),
        })),
    );
    const inserted = await this.repository.insertDeliveries(manager, rows);
    return inserted > 0 ? () => this.dispatcher.wake() : undefined;
  }
}
