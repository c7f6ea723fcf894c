export { requireOrganizationId, TenantContextMissingError, withTenant } from './tenant-transaction';
export { SYSTEM_ACCESS_REASONS, SystemAccessReason, TenantDatabase } from './tenant-database';
