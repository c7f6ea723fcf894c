import type { SchemaLists } from './core/database';
import { IdempotencyKeyEntity } from './core/http';
import { MIGRATIONS } from './database/migrations';
import { MODULE_ENTITIES } from './modules';

/** Every TypeORM entity: core's own tables first, then the modules' (from the module registry). */
export const ENTITIES = [IdempotencyKeyEntity, ...MODULE_ENTITIES];

/**
 * The schema handed to core by every composition root (app, worker, CLI, `ormconfig.ts`, the test
 * setup): `buildDataSourceOptions(config, SCHEMA)` / `DatabaseModule.forRoot(SCHEMA)`.
 */
export const SCHEMA: SchemaLists = { entities: ENTITIES, migrations: MIGRATIONS };
