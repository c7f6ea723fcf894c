import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/core/config';
import { buildDataSourceOptions } from '../../src/core/database';
import { databaseUrl } from './env';
import { databaseExists, templateName, withAdminClient } from './template-db';

/**
 * Once per `jest` run: make sure the migrated template database exists. Runs under an advisory
 * lock so two concurrent runs on one machine never build it twice.
 */
export default async function globalSetup(): Promise<void> {
  const name = templateName();
  await withAdminClient(async (client) => {
    await client.query('SELECT pg_advisory_lock(774411)');
    try {
      if (await databaseExists(client, name)) return;
      const building = `${name}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      const config = loadConfig({ ENVIRONMENT: 'test', DATABASE_URL: databaseUrl(building) });
      const dataSource = new DataSource({ ...buildDataSourceOptions(config), logging: ['error'] });
      await dataSource.initialize();
      await dataSource.runMigrations({ transaction: 'each' });
      await dataSource.destroy();
      // Renamed only once complete, so a crash mid-build never leaves a half-migrated template.
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      // Old templates from previous migration sets are dead weight.
      const stale = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'alees_tpl_%' AND datname <> $1`,
        [name],
      );
      for (const row of stale.rows) {
        await client
          .query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`)
          .catch(() => undefined);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(774411)');
    }
  });
}
