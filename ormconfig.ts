import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/core/config';
import { buildDataSourceOptions } from './src/core/database';
import { SCHEMA } from './src/schema';

/**
 * The DataSource the TypeORM CLI uses (`npm run typeorm -- migration:generate ...`): the same
 * options as the app, from the same validated config.
 */
export default new DataSource(buildDataSourceOptions(loadConfig(), SCHEMA));
