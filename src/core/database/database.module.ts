import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config';
import { TenantDatabase } from '../tenancy';
import { buildDataSourceOptions, SchemaLists } from './data-source-options';

/**
 * The TypeORM connection pool of the app and the worker, and `TenantDatabase` (core/tenancy) for
 * every module: global, so a module's provider can inject `TenantDatabase` without importing this
 * module.
 */
@Global()
@Module({})
export class DatabaseModule {
  /**
   * `schema`: the entity and migration lists (from the module registry and
   * `src/database/migrations`), passed in by the composition root so core imports no module.
   */
  static forRoot(schema: SchemaLists): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            ...buildDataSourceOptions(config, schema),
            // Fail boot fast and clearly instead of retrying for minutes.
            retryAttempts: 2,
            retryDelay: 1000,
          }),
        }),
      ],
      providers: [TenantDatabase],
      exports: [TenantDatabase],
    };
  }
}
