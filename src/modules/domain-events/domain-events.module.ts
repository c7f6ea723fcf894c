import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../../core/metrics';
import { DomainEventsMetrics } from './domain-events.metrics';
import { DomainEventsRelay } from './domain-events.relay';
import { DomainEventsRepository } from './domain-events.repository';
import { DomainEventConsumers, DomainEvents } from './domain-events.service';

/**
 * The publisher and the consumer registry, in the API and the worker alike (global: `AuditService`
 * and any module inject `DomainEvents`; consumers inject `DomainEventConsumers`).
 */
@Global()
@Module({
  providers: [DomainEventsRepository, DomainEvents, DomainEventConsumers],
  exports: [DomainEventsRepository, DomainEvents, DomainEventConsumers],
})
export class DomainEventsModule {}

/** The worker side: the relay delivering committed events to the registered consumers. */
@Module({
  imports: [DomainEventsModule],
  providers: [DomainEventsRelay],
  exports: [DomainEventsRelay],
})
export class DomainEventsWorkerModule {}

/** The API side: the outbox gauges on `GET /metrics`. */
@Module({
  imports: [DomainEventsModule, MetricsModule],
  providers: [DomainEventsMetrics],
})
export class DomainEventsMetricsModule {}
