export { requireOrganizationId, TenantContextMissingError, withTenant } from './tenant-transaction';
export { inlineParameters } from './inline-parameters';
export { withTenantRead } from './tenant-read';
export { SYSTEM_ACCESS_REASONS, SystemAccessReason, TenantDatabase } from './tenant-database';
export {
  afterCommit,
  assertNoDeferredStatements,
  atCommit,
  CommitStatement,
  withSavepoint,
} from './after-commit';
export { commitTransaction, TransactionAbortedError } from './transaction-state';
export { queryTogether, Statement } from './statement-batch';
