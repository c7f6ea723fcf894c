import 'reflect-metadata';
import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/core/config';
import { buildDataSourceOptions } from '../../src/core/database';
import { TenantDatabase } from '../../src/core/tenancy';
import { SCHEMA } from '../../src/schema';
import { createTestDatabase, dropDatabase } from './template-db';

/**
 * The "medium" tier (between unit and e2e, as Immich's `server/test/medium/`): repositories run
 * against a real PostgreSQL database cloned from the migrated, seeded template (`global-setup.ts`),
 * with no Nest application. `db.run(orgId, …)` is the same tenant transaction the services use
 * (role `alees_tenant`, row-level security), so a test sees exactly what a service would.
 */
export interface MediumDatabase {
  dataSource: DataSource;
  db: TenantDatabase;
  /** A new root organization (owner connection, outside row-level security); its id. */
  organization(): Promise<string>;
  close(): Promise<void>;
}

/** Clones a database from the template and connects to it (call in `beforeAll`). */
export async function openMediumDatabase(): Promise<MediumDatabase> {
  const database = await createTestDatabase('alees_test');
  const config = loadConfig({ ENVIRONMENT: 'test', DATABASE_URL: database.url });
  const dataSource = new DataSource({
    ...buildDataSourceOptions(config, SCHEMA),
    logging: ['error'],
  });
  await dataSource.initialize();
  return {
    dataSource,
    db: new TenantDatabase(dataSource),
    async organization() {
      const id = uuidv7();
      await dataSource.query(
        `INSERT INTO organizations (id, code, name, type_code, path, depth)
         VALUES ($1, $2, $3, 'company', $4, 0)`,
        [id, `ORG-${id.slice(-12)}`, `Org ${id.slice(-6)}`, `/${id}/`],
      );
      return id;
    },
    async close() {
      await dataSource.destroy();
      await dropDatabase(database.name);
    },
  };
}
