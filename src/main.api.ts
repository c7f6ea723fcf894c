import 'reflect-metadata';
import { createApiApplication } from './bootstrap';
import { loadConfigWithSecrets } from './core/config';
import { initSentry } from './core/observability/sentry';
import { exitOnBootFailure } from './core/config/boot-failure';

async function main(): Promise<void> {
  const config = await loadConfigWithSecrets();
  initSentry(config);
  const app = await createApiApplication(config);
  await app.listen({ port: config.app.port, host: '0.0.0.0' });
}

main().catch(exitOnBootFailure);
