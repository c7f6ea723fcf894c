import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../core/config';

/** One idempotent seed step: running it twice leaves the database as running it once. */
export interface Seeder {
  name: string;
  run(dataSource: DataSource, config: AppConfig): Promise<string>;
}
