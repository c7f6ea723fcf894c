import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { WakeUps } from '../../core/redis';
import { afterCommit, atCommit } from '../../core/tenancy';
import type { DomainEventConsumer, DomainEventGuard, DomainEventInput } from './domain-event';
import { AlongsideStatement, DomainEventsRepository } from './domain-events.repository';

/**
 * The wake-up (`WakeUps`, Redis) the relay and the audit sealer subscribe to: sent once a
 * transaction that published events has committed.
 */
export const OUTBOX_WAKE_UP = 'domain_events';

/**
 * The one publisher of domain events. Both methods must run inside the transaction of the change
 * they describe (they throw otherwise), so an event exists exactly when its change committed; the
 * relay is woken after the commit (`OUTBOX_WAKE_UP` over Redis, sent by an `afterCommit` hook of
 * `withTenant` / `runAsSystem`; in a transaction opened otherwise, or with Redis down, the relay's
 * poll delivers). In a tenant transaction an event of another organization (or of none)
 * is refused by row-level security. Most events come from `AuditService.record`; call this
 * directly for writes that are not audited row by row (bulk imports, tenant purge).
 */
@Injectable()
export class DomainEvents {
  private readonly guards: DomainEventGuard[] = [];
  /** One function, so a transaction publishing many times wakes the relay once. */
  private readonly wakeRelay = () => this.wakeUps.signal(OUTBOX_WAKE_UP);

  constructor(
    private readonly repository: DomainEventsRepository,
    private readonly wakeUps: WakeUps,
  ) {}

  /**
   * Adds a write guard (from `onModuleInit`): every publish asks each guard about its events,
   * inside the writing transaction, before the outbox row is inserted; a guard that throws aborts
   * the write (workflows: 409 `locked_by_workflow`). Every write of a record publishes its event
   * (audited or bulk), so a guard here sees every write path.
   */
  addGuard(guard: DomainEventGuard): void {
    this.guards.push(guard);
  }

  /**
   * Publishes one event (see `publishMany`), its INSERT (with `alongside`) sent with the
   * transaction's `COMMIT` (`atCommit`: no round trip of its own) — nothing in the writing
   * transaction reads the outbox. Guards run now, as in `publishMany`.
   */
  async publish(
    manager: EntityManager,
    event: DomainEventInput,
    alongside?: AlongsideStatement,
  ): Promise<void> {
    await this.write(manager, [event], alongside, true);
  }

  /**
   * One INSERT for the whole list (an import batch of thousands of rows), after every guard
   * passed, run now. `alongside`: one more data-modifying statement of the caller's (its own
   * `$1`…`$n`, no RETURNING) written in the same round trip, e.g. the change's audit row
   * (`AuditService.record`); it is written even when `events` is empty, and not at all when a
   * guard refuses.
   */
  async publishMany(
    manager: EntityManager,
    events: readonly DomainEventInput[],
    alongside?: AlongsideStatement,
  ): Promise<void> {
    await this.write(manager, events, alongside, false);
  }

  private async write(
    manager: EntityManager,
    events: readonly DomainEventInput[],
    alongside: AlongsideStatement | undefined,
    atTheCommit: boolean,
  ): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('DomainEvents.publish must run inside the transaction of the change');
    }
    for (const event of events) {
      if (!/^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_.-]*$/.test(event.type)) {
        throw new Error(`Not a domain event type (<resource>.<verb>): ${event.type}`);
      }
    }
    for (const guard of this.guards) await guard.check(manager, events);
    const statement = this.repository.insertStatement(events, alongside);
    if (statement && !(atTheCommit && atCommit(manager, statement))) {
      await manager.query(statement.sql, [...statement.params]);
    }
    if (events.length > 0) afterCommit(manager, this.wakeRelay);
  }
}

/**
 * Where consumers register (from `onModuleInit` of a module loaded in the worker, where the relay
 * runs). Global: one registry per process. Consumers run in registration order.
 */
@Injectable()
export class DomainEventConsumers {
  private readonly consumers = new Map<string, DomainEventConsumer>();

  register(consumer: DomainEventConsumer): void {
    if (this.consumers.has(consumer.name)) {
      throw new Error(`Domain event consumer registered twice: ${consumer.name}`);
    }
    this.consumers.set(consumer.name, consumer);
  }

  /** The registered consumers, in registration order. */
  list(): readonly DomainEventConsumer[] {
    return [...this.consumers.values()];
  }
}
