export { Public, RequirePermissions, IS_PUBLIC_KEY, PERMISSIONS_KEY } from './decorators';
export { AccessGuard } from './access.guard';
