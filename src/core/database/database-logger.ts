import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's output through the application logger (pino in the app) instead of `console`.
 * A failed query is usually an expected outcome the error filter maps (unique violation → 409),
 * so it is logged at debug; an unexpected one reaches the filter and is logged there as a 500.
 * With `DATABASE_LOGGING=true` every query is logged at debug.
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  constructor(private readonly logQueries: boolean) {}

  logQuery(query: string, parameters?: unknown[]): void {
    if (this.logQueries) this.logger.debug({ query, parameters });
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug({ query, error: error instanceof Error ? error.message : error });
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ query, durationMs: time }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    if (this.logQueries) this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message);
    else if (this.logQueries) this.logger.debug(message);
  }
}
