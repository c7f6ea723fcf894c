export { TenantOffboardingModule, TenantsModule, TenantsWorkerModule } from './tenants.module';
export { TENANT_EXPORT_TASK } from './tenant-export.job';
