export { HealthModule } from './health.module';
export { HealthController } from './health.controller';
export { ReadinessService, Readiness } from './readiness.service';
export { WorkerHealthServer } from './worker-health.server';
