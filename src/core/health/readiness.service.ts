import { Injectable } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { RedisService } from '../redis';

export type DependencyState = 'up' | 'down';

export interface Readiness {
  status: 'ok' | 'error';
  checks: Record<string, DependencyState>;
}

/**
 * Readiness of this process's dependencies (db, redis), shared by the API's `/healthz/ready` and
 * the worker's own health server. Answers within ~1.5 s even when a dependency hangs.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisService,
  ) {}

  async check(): Promise<Readiness> {
    const redisCheck = async (): Promise<HealthIndicatorResult> => {
      const indicator = this.indicators.check('redis');
      return (await this.redis.ping(1_000)) ? indicator.up() : indicator.down();
    };
    let details: Record<string, { status: string }>;
    try {
      const result = await this.health.check([
        () => this.db.pingCheck('db', { timeout: 1_500 }),
        redisCheck,
      ]);
      details = result.details;
    } catch (error) {
      // terminus reports a failed check as ServiceUnavailableException carrying the same result
      const response = (error as { getResponse?: () => unknown }).getResponse?.() as
        { details?: Record<string, { status: string }> } | undefined;
      details = response?.details ?? { db: { status: 'down' }, redis: { status: 'down' } };
    }
    const checks = Object.fromEntries(
      Object.entries(details).map(([name, d]) => [name, d.status === 'up' ? 'up' : 'down']),
    ) as Record<string, DependencyState>;
    const status = Object.values(checks).every((s) => s === 'up') ? 'ok' : 'error';
    return { status, checks };
  }
}
