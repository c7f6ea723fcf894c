export { AccessModule } from './access.module';
export { AccessService } from './access.service';
export {
  PERMISSIONS,
  PermissionCode,
  SYSTEM_ROLES,
  ALL_PERMISSIONS,
  PLATFORM_PERMISSIONS,
  TENANT_PERMISSIONS,
} from './permissions.registry';
export {
  AccountField,
  assertMayChangeAccount,
  assertMayManageMembershipOf,
  requirePerson,
  SELF_SERVICE_ACCOUNT_FIELDS,
} from './account-policy';
