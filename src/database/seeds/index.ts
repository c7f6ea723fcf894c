import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../core/config';
import type { Seeder } from './seeder';

/** Every seeder, in order. Modules append theirs (reference data, system roles, permissions). */
export const SEEDERS: Seeder[] = [];

/** Runs every seeder inside one transaction; returns one summary line per seeder. */
export async function runSeeds(dataSource: DataSource, config: AppConfig): Promise<string[]> {
  const lines: string[] = [];
  for (const seeder of SEEDERS) {
    lines.push(`${seeder.name}: ${await seeder.run(dataSource, config)}`);
  }
  return lines;
}

export type { Seeder };
