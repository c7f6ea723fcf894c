import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';

/**
 * One idempotent seed step: running it twice leaves the database as running it once. Modules
 * export theirs from their `index.ts`; the module registry lists them in order (`SEEDERS`).
 */
export interface Seeder {
  name: string;
  run(dataSource: DataSource, config: AppConfig): Promise<string>;
}

/**
 * Runs the given seeders in order on an initialized, migrated data source; returns one
 * `<name>: <summary>` line per seeder. Errors of a seeder propagate (nothing after it runs).
 */
export async function runSeeds(
  dataSource: DataSource,
  config: AppConfig,
  seeders: readonly Seeder[],
): Promise<string[]> {
  const lines: string[] = [];
  for (const seeder of seeders) {
    lines.push(`${seeder.name}: ${await seeder.run(dataSource, config)}`);
  }
  return lines;
}
