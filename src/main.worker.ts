import 'reflect-metadata';
import { createWorkerApplication } from './bootstrap';
import { loadConfigWithSecrets } from './core/config';
import { assertDatabaseReachable } from './core/database/reachability';
import { exitOnBootFailure } from './core/config/boot-failure';
import { initSentry } from './core/observability/sentry';

async function main(): Promise<void> {
  const config = await loadConfigWithSecrets();
  initSentry(config);
  // One clear line (not TypeORM retries and a stack) when the database is down or refuses us.
  await assertDatabaseReachable(config.database.url);
  await createWorkerApplication(config);
}

main().catch(exitOnBootFailure);
