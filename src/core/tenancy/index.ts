export { requireOrganizationId, TenantContextMissingError, withTenant } from './tenant-transaction';
export { inlineParameters, withTenantRead } from './tenant-read';
export { SYSTEM_ACCESS_REASONS, SystemAccessReason, TenantDatabase } from './tenant-database';
export { afterCommit } from './after-commit';
export { commitTransaction, TransactionAbortedError } from './transaction-state';
