import type { Writable } from 'node:stream';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { CacheModule } from './core/cache';
import { ClockModule } from './core/clock';
import { AppConfig, AppConfigModule } from './core/config';
import { DatabaseModule } from './core/database';
import { HealthModule, WorkerHealthServer } from './core/health';
import { LoggingModule } from './core/logging/logging.module';
import { QueueModule, SystemPingProcessor } from './core/queue';
import { RedisModule } from './core/redis';
import { TargetsModule } from './core/targets';
import { DOMAIN_WORKER_MODULES } from './modules';
import { SCHEMA } from './schema';

/** The worker: the same core, plus the queue processors. No HTTP API (only its health server). */
@Module({})
export class WorkerModule {
  /** `extra`: more job modules (tests register their own task handlers this way). */
  static forRoot(
    config: AppConfig,
    logDestination?: Writable,
    extra: (Type | DynamicModule)[] = [],
  ): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(logDestination),
        ClockModule,
        DatabaseModule.forRoot(SCHEMA),
        RedisModule,
        TargetsModule,
        CacheModule,
        QueueModule,
        HealthModule,
        ...DOMAIN_WORKER_MODULES,
        ...extra,
      ],
      providers: [SystemPingProcessor, WorkerHealthServer],
    };
  }
}
