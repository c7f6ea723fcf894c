import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config';
import { TenantDatabase } from '../tenancy';
import { buildDataSourceOptions } from './data-source-options';

/**
 * The TypeORM connection pool, and `TenantDatabase` (core/tenancy) for every module: global, so
 * a module's provider can inject `TenantDatabase` without importing this module.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config),
        // Fail boot fast and clearly instead of retrying for minutes.
        retryAttempts: 2,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [TenantDatabase],
  exports: [TenantDatabase],
})
export class DatabaseModule {}
