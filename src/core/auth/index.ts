export { Public, RequirePermissions, IS_PUBLIC_KEY, PERMISSIONS_KEY } from './decorators';
export {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  AuthenticatedRequest,
  CurrentPrincipal,
  Principal,
  principalOf,
} from './principal';
