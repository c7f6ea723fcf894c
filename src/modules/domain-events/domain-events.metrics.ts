import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../../core/metrics';
import { TenantDatabase } from '../../core/tenancy';
import { DomainEventsRepository, OutboxStats } from './domain-events.repository';

/**
 * The outbox on `GET /metrics` (API process, where metrics are scraped): `domain_events_pending`
 * (not yet delivered, including those backing off), `domain_events_failed` (dead-lettered: alert
 * when above 0) and `domain_events_relay_lag_seconds` (age of the oldest pending event). Read
 * from the table at scrape time, so they hold whichever worker runs the relay.
 */
@Injectable()
export class DomainEventsMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly db: TenantDatabase,
    private readonly repository: DomainEventsRepository,
  ) {}

  onModuleInit(): void {
    let snapshot: Promise<OutboxStats | undefined> | undefined;
    // One query per scrape for the three gauges (each gauge's collect asks for the same snapshot).
    const stats = () => {
      snapshot ??= this.db
        .runAsSystem('outbox-relay', (manager) => this.repository.stats(manager))
        .catch(() => undefined)
        .finally(() => setTimeout(() => (snapshot = undefined), 100).unref());
      return snapshot;
    };
    const gauge = (name: string, help: string, pick: (s: OutboxStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.metrics.registry],
        async collect() {
          const current = await stats();
          if (current) this.set(pick(current));
        },
      });
    gauge(
      'domain_events_pending',
      'Domain events not yet delivered to consumers',
      (s) => s.pending,
    );
    gauge(
      'domain_events_failed',
      'Domain events dead-lettered after repeated failures',
      (s) => s.failed,
    );
    gauge(
      'domain_events_relay_lag_seconds',
      'Age of the oldest undelivered domain event',
      (s) => s.oldestPendingSeconds,
    );
  }
}
