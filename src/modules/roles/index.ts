export { RolesModule } from './roles.module';
export { RolesService } from './roles.service';
export { RoleUsage, ROLE_HOLDERS } from './role-usage';
export type { RoleHolder, RoleHolderName } from './role-usage';
