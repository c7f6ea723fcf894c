import type { DataSource } from 'typeorm';
import type { Seeder } from '../../core/database';
import { CurrenciesRepository } from './currencies.repository';
import { ISO_4217 } from './iso-4217';

/** The ISO 4217 list; existing rows keep their edits (active flag, name). */
export const currenciesSeeder: Seeder = {
  name: 'currencies',
  async run(dataSource: DataSource) {
    await new CurrenciesRepository().insertMissing(dataSource.manager, ISO_4217);
    return `${ISO_4217.length} ISO 4217 codes`;
  },
};
