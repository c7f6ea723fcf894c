import type { Writable } from 'node:stream';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { CacheModule } from './core/cache';
import { AppConfig, AppConfigModule } from './core/config';
import { DatabaseModule } from './core/database';
import { HealthController, HealthModule } from './core/health';
import { ApiIndexController } from './core/http/api-index.controller';
import { HttpCoreModule } from './core/http';
import { LoggingModule } from './core/logging/logging.module';
import { MetricsModule } from './core/metrics';
import { QueueModule, SystemController } from './core/queue';
import { RedisModule } from './core/redis';
import { TargetsModule } from './core/targets';
import { DOMAIN_MODULES } from './modules';
import { SCHEMA } from './schema';

export interface AppModuleOptions {
  /** Extra modules (tests add probe controllers). */
  imports?: (Type | DynamicModule)[];
  /** Where JSON logs go (default stdout). */
  logDestination?: Writable;
}

/** The HTTP API: core platform modules + every domain module. Nothing else lives here. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(options.logDestination),
        DatabaseModule.forRoot(SCHEMA),
        RedisModule,
        TargetsModule,
        CacheModule,
        QueueModule,
        HealthModule,
        MetricsModule,
        HttpCoreModule,
        ...DOMAIN_MODULES,
        ...(options.imports ?? []),
      ],
      controllers: [ApiIndexController, HealthController, SystemController],
    };
  }
}
