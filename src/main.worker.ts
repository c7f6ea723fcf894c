import 'reflect-metadata';
import { createWorkerApplication } from './bootstrap';
import { loadConfigWithSecrets } from './core/config';
import { exitOnBootFailure } from './core/config/boot-failure';
import { initSentry } from './core/observability/sentry';

async function main(): Promise<void> {
  const config = await loadConfigWithSecrets();
  initSentry(config);
  await createWorkerApplication(config);
}

main().catch(exitOnBootFailure);
