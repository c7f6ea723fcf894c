import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../../core/metrics';
import { TenantDatabase } from '../../core/tenancy';
import { WebhooksRepository } from './webhooks.repository';

/**
 * `webhook_deliveries_pending` (pending + retrying) and `webhook_deliveries_failed` (failed for
 * good) on the API's `GET /metrics`, read from the table at scrape time (one query per scrape).
 */
@Injectable()
export class WebhooksMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly db: TenantDatabase,
    private readonly repository: WebhooksRepository,
  ) {}

  onModuleInit(): void {
    let snapshot: Promise<{ pending: number; failed: number } | undefined> | undefined;
    const stats = () => {
      snapshot ??= this.db
        .runAsSystem('webhook-delivery', (manager) => this.repository.stats(manager))
        .catch(() => undefined)
        .finally(() => setTimeout(() => (snapshot = undefined), 100).unref());
      return snapshot;
    };
    const gauge = (name: string, help: string, pick: 'pending' | 'failed') =>
      new Gauge({
        name,
        help,
        registers: [this.metrics.registry],
        async collect() {
          const current = await stats();
          if (current) this.set(current[pick]);
        },
      });
    gauge('webhook_deliveries_pending', 'Webhook deliveries waiting for an attempt', 'pending');
    gauge('webhook_deliveries_failed', 'Webhook deliveries that failed for good', 'failed');
  }
}
