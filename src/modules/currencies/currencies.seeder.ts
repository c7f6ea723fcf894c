import type { DataSource } from 'typeorm';
import type { Seeder } from '../../core/database';
import { ISO_4217 } from './iso-4217';

/** The ISO 4217 list; existing rows keep their edits (active flag, name). */
export const currenciesSeeder: Seeder = {
  name: 'currencies',
  async run(dataSource: DataSource) {
    await dataSource.query(
      `INSERT INTO currencies (code, name, minor_units)
       SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[]) ON CONFLICT (code) DO NOTHING`,
      [ISO_4217.map((c) => c[0]), ISO_4217.map((c) => c[1]), ISO_4217.map((c) => c[2])],
    );
    return `${ISO_4217.length} ISO 4217 codes`;
  },
};
