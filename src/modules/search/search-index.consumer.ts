import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvent, DomainEventConsumer, DomainEventConsumers } from '../domain-events';
import { SEARCH_BACKEND, SearchBackend, SearchChange, SearchType } from './searchable';

/**
 * Which domain events touch a searchable table: the event's `entityType` (the audit log's
 * singular name) → the search type (the table). Any event of these types with an id re-reads the
 * row (a deleted or soft-deleted row leaves the index), so the verb does not matter.
 */
export const SEARCHED_ENTITY_TYPES: Readonly<Record<string, SearchType>> = {
  product: 'products',
  contact: 'contacts',
};

/** The search changes a batch of events implies, one per organization, type and id. */
export function searchChangesOf(events: readonly DomainEvent[]): SearchChange[] {
  const changes = new Map<string, SearchChange>();
  for (const event of events) {
    const type = SEARCHED_ENTITY_TYPES[event.entityType];
    if (!type || !event.entityId || !event.organizationId) continue;
    changes.set(`${event.organizationId}:${type}:${event.entityId}`, {
      organizationId: event.organizationId,
      type,
      id: event.entityId,
    });
  }
  return [...changes.values()];
}

/**
 * Keeps the search backend in step with committed changes: a domain-event consumer (`search`),
 * registered in the worker. `SearchBackend.apply` is idempotent (it re-reads the rows), so a
 * redelivered batch is harmless; a backend failure throws, which rolls the relay's batch back and
 * retries it.
 */
@Injectable()
export class SearchIndexConsumer
  implements DomainEventConsumer, OnModuleInit, OnApplicationBootstrap
{
  readonly name = 'search';
  private readonly logger = new Logger(SearchIndexConsumer.name);

  constructor(
    private readonly consumers: DomainEventConsumers,
    @Inject(SEARCH_BACKEND) private readonly backend: SearchBackend,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.backend.prepare?.().catch((error: unknown) => {
      this.logger.warn({ error: (error as Error).message }, 'search backend not ready');
    });
  }

  async handle(_manager: EntityManager, events: readonly DomainEvent[]): Promise<void> {
    const changes = searchChangesOf(events);
    if (changes.length > 0) await this.backend.apply(changes);
  }
}
