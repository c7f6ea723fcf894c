import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApiApplication } from './bootstrap';
import { loadConfigWithSecrets } from './core/config';
import { assertDatabaseReachable } from './core/database/reachability';
import { initSentry } from './core/observability/sentry';
import { exitOnBootFailure } from './core/config/boot-failure';

async function main(): Promise<void> {
  const config = await loadConfigWithSecrets();
  initSentry(config);
  // One clear line (not TypeORM retries and a stack) when the database is down or refuses us.
  await assertDatabaseReachable(config.database.url);
  const app = await createApiApplication(config);
  await app.listen({ port: config.app.port, host: '0.0.0.0' });
  // The one info line of a healthy boot (Nest's wiring lines are at debug).
  new Logger('Api').log(
    `API listening on port ${config.app.port} (/${config.app.apiPrefix}, /docs)`,
  );
}

main().catch(exitOnBootFailure);
