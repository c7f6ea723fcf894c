export {
  TenantOffboardingWorkerModule,
  TenantOffboardingModule,
} from './tenant-offboarding.module';
export { TENANT_EXPORT_TASK } from './tenant-export.job';
