import 'reflect-metadata';
import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/core/config';
import { buildDataSourceOptions, runSeeds } from '../../src/core/database';
import { SEEDERS } from '../../src/modules';
import { SCHEMA } from '../../src/schema';
import { databaseUrl } from './env';
import { databaseExists, templateName, withAdminClient } from './template-db';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Databases left by crashed runs: their owning process is gone. (Templates of other migration sets
 * are kept: a concurrent run on this machine may be cloning one.)
 */
async function dropLeftovers(client: Client): Promise<void> {
  const leftovers = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname ~ '^alees_(test|empty)_[0-9]+_'`,
  );
  for (const { datname } of leftovers.rows) {
    if (!isAlive(Number(datname.split('_')[2]))) {
      await client
        .query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
        .catch(() => undefined);
    }
  }
}

/**
 * Once per `jest` run: make sure the migrated and seeded template database exists. Runs under an advisory
 * lock so two concurrent runs on one machine never build it twice.
 */
export default async function globalSetup(): Promise<void> {
  const name = templateName();
  await withAdminClient(async (client) => {
    await client.query('SELECT pg_advisory_lock(774411)');
    try {
      await dropLeftovers(client);
      if (await databaseExists(client, name)) return;
      const building = `${name}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      const config = loadConfig({ ENVIRONMENT: 'test', DATABASE_URL: databaseUrl(building) });
      const dataSource = new DataSource({
        ...buildDataSourceOptions(config, SCHEMA),
        logging: ['error'],
      });
      await dataSource.initialize();
      await dataSource.runMigrations({ transaction: 'each' });
      await runSeeds(dataSource, config, SEEDERS);
      await dataSource.destroy();
      // Renamed only once complete, so a crash mid-build never leaves a half-migrated template.
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(774411)');
    }
  });
}
