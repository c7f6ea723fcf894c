import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../core/config';
import { accessSeeder } from '../../modules/access/access.seeder';
import { organizationTypesSeeder } from '../../modules/organization-types/organization-types.seeder';
import { currenciesSeeder } from '../../modules/currencies/currencies.seeder';
import { unitsOfMeasureSeeder } from '../../modules/units-of-measure/units-of-measure.seeder';
import type { Seeder } from './seeder';

/** Every seeder, in order. Each is idempotent: running the seed twice equals running it once. */
export const SEEDERS: Seeder[] = [
  organizationTypesSeeder,
  accessSeeder,
  currenciesSeeder,
  unitsOfMeasureSeeder,
];

/** Runs every seeder; returns one summary line per seeder. */
export async function runSeeds(dataSource: DataSource, config: AppConfig): Promise<string[]> {
  const lines: string[] = [];
  for (const seeder of SEEDERS) {
    lines.push(`${seeder.name}: ${await seeder.run(dataSource, config)}`);
  }
  return lines;
}

export type { Seeder };
