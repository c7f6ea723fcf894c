export {
  AllowedWhenArchived,
  ALLOWED_WHEN_ARCHIVED_KEY,
  Public,
  RequirePermissions,
  RequireUser,
  IS_PUBLIC_KEY,
  PERMISSIONS_KEY,
  USER_REQUIRED_KEY,
} from './decorators';
export {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  Causation,
  AuthenticatedRequest,
  CurrentPrincipal,
  CurrentUserId,
  currentUserIdOf,
  ListScope,
  Principal,
  principalOf,
  userRequiredError,
} from './principal';
