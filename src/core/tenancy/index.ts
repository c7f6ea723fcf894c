export { requireOrganizationId, TenantContextMissingError, withTenant } from './tenant-transaction';
