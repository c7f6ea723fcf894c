import type { EntityManager } from 'typeorm';

/**
 * What a publisher states about one business event. `type` is `<resource>.<verb>` in the past
 * tense (`product.created`, `comment.hidden`, `activity.overdue`); `entityType`/`entityId` name the
 * record (snake_case singular, as the audit log names it). `changedFields`: the fields an update
 * changed (empty otherwise). `causationDepth`: 0 for a user's change, +1 for each event a consumer
 * publishes because of another (consumers stop cascades at a depth they choose). `organizationId`
 * null only for system events, which only a system transaction can write (row-level security).
 */
export interface DomainEventInput {
  organizationId: string | null;
  type: string;
  entityType: string;
  entityId: string | null;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  changedFields?: string[];
  data?: Record<string, unknown>;
  causationDepth?: number;
  requestId?: string | null;
}

/**
 * A committed event as consumers receive it: `id` is the outbox sequence (a bigint, as a string,
 * increasing in commit-ish order), `eventId` a stable UUID v7 (the idempotency key: at-least-once
 * delivery may hand the same event over twice), `occurredAt` ISO 8601.
 */
export interface DomainEvent extends Required<Omit<DomainEventInput, 'requestId'>> {
  id: string;
  eventId: string;
  occurredAt: string;
  requestId: string | null;
}

/**
 * A reader of committed events, run by the worker's relay. `handle` runs inside the relay's
 * transaction (`runAsSystem('outbox-relay')`, every organization's rows: filter by
 * `event.organizationId` yourself) and may write rows there; a throw rolls the whole batch back
 * and it is retried with backoff (the event dead-lettered after too many attempts). It may return
 * a callback run after the commit (realtime pushes: never announce what may roll back). Delivery is
 * at-least-once: handling the same event twice must have the effect of handling it once.
 */
export interface DomainEventConsumer {
  /** Stable, e.g. 'search', 'realtime', 'notifications' (logs, and one registration per name). */
  name: string;
  handle(
    manager: EntityManager,
    events: readonly DomainEvent[],
  ): Promise<void | (() => void | Promise<void>)>;
}

/**
 * Consulted by `DomainEvents.publishMany` before the events of a write are stored (in the writing
 * transaction): `check` throws to refuse the write (the transaction rolls back). It must cost no
 * round trip for events it does not care about (answer from memory).
 */
export interface DomainEventGuard {
  check(manager: EntityManager, events: readonly DomainEventInput[]): Promise<void>;
}
