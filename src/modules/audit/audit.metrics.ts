import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../../core/metrics';
import type { UnsealedTail } from './audit-chain.repository';
import { AuditSealer } from './audit-sealer';

/**
 * The unsealed audit tail on `GET /metrics` (API process, where metrics are scraped):
 * `audit_unsealed_rows` (rows written but not yet chained, every chain) and
 * `audit_unsealed_tail_age_seconds` (age of the oldest of them, by its `created_at`; 0 when none).
 * The tail should stay under a second while the worker's sealer runs (alert on a growing age:
 * the sealer is down, or a long transaction holds the sealing horizon). Read from the table at
 * scrape time, so they hold whichever worker seals.
 */
@Injectable()
export class AuditMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly sealer: AuditSealer,
  ) {}

  onModuleInit(): void {
    let snapshot: Promise<UnsealedTail | undefined> | undefined;
    // One query per scrape for both gauges.
    const tail = () => {
      snapshot ??= this.sealer
        .unsealedTail(null)
        .catch(() => undefined)
        .finally(() => setTimeout(() => (snapshot = undefined), 100).unref());
      return snapshot;
    };
    const gauge = (name: string, help: string, pick: (t: UnsealedTail) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.metrics.registry],
        async collect() {
          const current = await tail();
          if (current) this.set(pick(current));
        },
      });
    gauge(
      'audit_unsealed_rows',
      'Audit rows written but not yet sealed into their chain',
      (t) => t.count,
    );
    gauge(
      'audit_unsealed_tail_age_seconds',
      'Age of the oldest audit row not yet sealed into its chain',
      (t) => t.ageSeconds,
    );
  }
}
