import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config';
import { DatabaseLogger } from './database-logger';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/**
 * What the schema is made of, handed to core by the composition roots (app, worker, CLI,
 * `ormconfig.ts`, test setup): the entity classes from the module registry (`src/modules/index.ts`)
 * and the migration classes from `src/database/migrations`. Core never imports them itself, so
 * `src/core` has no arrow into a module (docs/architecture.md).
 */
export interface SchemaLists {
  /** Every TypeORM entity class, listed explicitly (no globs). */
  entities: NonNullable<DataSourceOptions['entities']>;
  /** Every migration class, in order. */
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

/**
 * The one DataSource definition, shared by the app, the CLI, `ormconfig.ts` and the tests.
 * Entities and migrations are explicit lists passed in by the caller (no globs), so ts-jest,
 * ts-node and `dist/` all load the same classes.
 */
export function buildDataSourceOptions(
  config: Pick<AppConfig, 'database' | 'app'>,
  schema: SchemaLists,
): DataSourceOptions {
  const { database } = config;
  const poolOptions = {
    max: database.poolSize,
    application_name: config.app.name.replace(/[^A-Za-z0-9 _-]/g, '').slice(0, 60),
    // Bounded waits: a dead database fails requests quickly instead of piling them up.
    connectionTimeoutMillis: 5_000,
    statement_timeout: database.statementTimeoutMs || undefined,
  };
  const base = {
    type: 'postgres' as const,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    logging: true,
    logger: new DatabaseLogger(database.logging),
    maxQueryExecutionTime: 1_000,
    extra: poolOptions,
  };
  if (database.replicaUrls.length > 0) {
    return {
      ...base,
      replication: {
        master: { url: database.url },
        slaves: database.replicaUrls.map((url) => ({ url })),
      },
    };
  }
  return { ...base, url: database.url };
}
