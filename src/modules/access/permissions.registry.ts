/**
 * Every permission, declared in code and seeded into `permissions` (`npm run cli -- seed`).
 * A route names the ones it needs with `@RequirePermissions(...)`; the committed route snapshot
 * (test/identity/route-permissions.snapshot.json) shows any change to who can reach what.
 */
export const PERMISSIONS = {
  'users:read': 'List and read users',
  'users:create': 'Create users',
  'users:update': 'Update users (profile, active flag)',
  'users:delete': 'Deactivate users',
  'organizations:read': 'Read organizations and the tree',
  'organizations:create': 'Create child organizations',
  'organizations:update': 'Update, archive, restore and move organizations',
  'memberships:read': 'List memberships',
  'memberships:manage': 'Add, change and remove memberships',
  'roles:read': 'List roles and permissions',
  'roles:manage': 'Create, change and delete tenant roles',
  'api-keys:read': 'List API keys',
  'api-keys:manage': 'Create and revoke API keys',
  'audit-logs:read': 'Read and verify the audit log',
  'system:ping': 'Enqueue the system ping job',
} as const;

export type PermissionCode = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as PermissionCode[];

const readOnly = ALL_PERMISSIONS.filter((p) => p.endsWith(':read'));

/** System roles, shared by every tenant (organization_id NULL). */
export const SYSTEM_ROLES: Record<
  'Owner' | 'Admin' | 'Member' | 'Viewer',
  { description: string; permissions: PermissionCode[] }
> = {
  Owner: { description: 'Everything in the organization', permissions: ALL_PERMISSIONS },
  Admin: {
    description: 'Manages users, memberships, roles and keys; cannot create sub-organizations',
    permissions: ALL_PERMISSIONS.filter((p) => p !== 'organizations:create'),
  },
  Member: {
    description: 'Works with business data; reads people and structure',
    permissions: readOnly.filter((p) => p !== 'audit-logs:read' && p !== 'api-keys:read'),
  },
  Viewer: { description: 'Reads business data', permissions: ['organizations:read'] },
};
