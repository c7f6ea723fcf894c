import { PermissionEntity } from './permission.entity';
import { RoleEntity, RolePermissionEntity } from './role.entity';

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
export { PermissionEntity } from './permission.entity';
export { RoleEntity, RolePermissionEntity } from './role.entity';
export { accessSeeder } from './access.seeder';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const ACCESS_ENTITIES = [PermissionEntity, RoleEntity, RolePermissionEntity];
