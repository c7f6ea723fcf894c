// Public surface of the domain-events module: the outbox, its publisher, relay and consumer registry.
import { DomainEventEntity } from './domain-event.entity';

export {
  DomainEvent,
  DomainEventConsumer,
  DomainEventGuard,
  DomainEventInput,
} from './domain-event';
export {
  DomainEventsMetricsModule,
  DomainEventsModule,
  DomainEventsWorkerModule,
} from './domain-events.module';
export { DomainEventConsumers, DomainEvents, OUTBOX_WAKE_UP } from './domain-events.service';
export {
  AlongsideStatement,
  DomainEventsRepository,
  OutboxStats,
} from './domain-events.repository';
export {
  DEFAULT_RELAY_OPTIONS,
  DOMAIN_EVENTS_RELAY_OPTIONS,
  DomainEventsRelay,
  DomainEventsRelayOptions,
} from './domain-events.relay';
export { DomainEventEntity } from './domain-event.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const DOMAIN_EVENTS_ENTITIES = [DomainEventEntity];
