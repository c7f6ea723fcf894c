/**
 * Every permission, declared in code and seeded into `permissions` (`npm run cli -- seed`).
 * A route names the ones it needs with `@RequirePermissions(...)`; the committed route snapshot
 * (test/identity/route-permissions.snapshot.json) shows any change to who can reach what.
 */
export const PERMISSIONS = {
  'users:read': 'List and read the users who are members of the organization',
  'users:create': 'Create user accounts (platform: superusers only; organizations invite)',
  'users:update':
    'Change any account: profile, email, active and superuser flags (platform: superusers only)',
  'users:delete': 'Deactivate accounts everywhere (platform: superusers only)',
  'tenants:create':
    'Provision a new root organization with an invited owner (platform: superusers only)',
  'invitations:read': 'List pending invitations',
  'invitations:create': 'Invite people by email to join the organization',
  'invitations:delete': 'Revoke pending invitations',
  'organizations:read': 'Read organizations and the tree',
  'organizations:create': 'Create child organizations',
  'organizations:update': 'Update, archive, restore and move organizations',
  'memberships:read': 'List memberships',
  'memberships:create':
    'Add an existing account to an organization by user id (platform: superusers only)',
  'memberships:manage': 'Change roles of members; suspend, reactivate and remove memberships',
  'roles:read': 'List roles and permissions',
  'roles:manage': 'Create, change and delete tenant roles',
  'api-keys:read': 'List API keys',
  'api-keys:manage': 'Create and revoke API keys',
  'audit-logs:read': 'Read and verify the audit log',
  'system:ping': 'Enqueue the system ping job',
  'currencies:read': 'List and read currencies',
  'currencies:manage': 'Add currencies and change them (platform: superusers only)',
  'units-of-measure:read': 'List units of measure and convert quantities',
  'units-of-measure:manage': 'Add and change units of measure (platform: superusers only)',
  'contacts:read': 'List and read contacts',
  'contacts:manage': 'Create, change and delete contacts',
  'categories:read': 'List and read categories',
  'categories:manage': 'Create, change, move and delete categories',
  'tax:read': 'Read tax jurisdictions, categories and rates',
  'tax:manage': 'Create, change and delete tax jurisdictions, categories and rates',
  'products:read': 'List and read products',
  'products:manage': 'Create, change, transition and delete products',
  'custom-fields:read': 'List and read custom field definitions',
  'custom-fields:manage': 'Define, change, deactivate and delete custom fields',
  'warehouses:read': 'List and read warehouses and stock locations',
  'warehouses:manage': 'Create, change and delete warehouses and stock locations',
  'stock:read': 'Read stock levels and the stock ledger',
  'stock:move': 'Post stock moves',
  'schedules:read': 'List and read schedules',
  'schedules:manage': 'Create, change and delete schedules',
  'files:read': 'List, read and download files and attachments',
  'files:manage': 'Upload and delete files; attach and detach them',
  'content-translations:read':
    'Read translations of content fields (and the entity’s own read permission)',
  'content-translations:manage':
    'Replace translations of content fields (and the entity’s own manage permission)',
  'comments:read':
    'Read the comments of records (and the record’s own read permission); hidden ones need comments:moderate',
  'comments:create':
    'Comment on records you can read, reply, react; edit and delete your own comments',
  'comments:moderate': 'See and hide or show any comment; delete anyone’s comment',
  'activities:read': 'List the activities of records (and the record’s own read permission)',
  'activities:create': 'Schedule activities on records you can read',
  'activities:update': 'Change activities and mark them done',
  'activities:delete': 'Delete activities',
  'tags:read': 'List and read the tag registry (names, colours, usage counts)',
  'tags:create': 'Create tags, also implicitly by naming an unknown tag on a record you may change',
  'tags:update': 'Rename, recolour and re-scope tags (each tagged record is audited)',
  'tags:delete': 'Delete tags (they are removed from every record)',
  'tags:manage': 'Merge tags (the taggings of one move to another, which remains)',
  'chat:read': 'List the chat rooms you take part in and read their messages',
  'chat:write': 'Create chat rooms, add or remove participants, post messages',
  'notifications:broadcast':
    'Send an announcement to every active member (or one role) of the organization',
  'feature-flags:manage': 'Read and change feature flags (platform: superusers only)',
  'profiles:read':
    'Read the member directory and the profiles of people you share an organization with',
  'profiles:read-private': "Read members' private profile fields (private notes)",
  'profiles:manage':
    'Change what the organization keeps about members: employee id, manager, department, employment',
  'timeline:read':
    'Read the timeline of records you can read (field changes, attachments, comments)',
  'statuses:read': 'List and read the status registry (system and organization statuses)',
  'statuses:manage': 'Create, change and delete the organization’s statuses',
  'saved-filters:read': 'List and use your own saved filters and those shared in the organization',
  'saved-filters:create': 'Save, change and delete your own private filters',
  'saved-filters:share':
    'Share your saved filters with the organization (create or change to shared)',
  'documents:read':
    'List, read and download documents and their versions (a linked one also needs its record’s read permission)',
  'documents:create': 'Create documents from uploaded files',
  'documents:update':
    'Change documents, add and restore versions, check out and in, create and revoke share links',
  'documents:delete': 'Delete documents',
  'documents:manage': 'Force-unlock a document someone else checked out',
  'folders:read': 'List and read document folders',
  'folders:create': 'Create document folders',
  'folders:update': 'Rename and move document folders',
  'folders:delete': 'Delete empty document folders',
  'meetings:read':
    'List and read meetings, download their calendar files, answer and join the ones you are invited to, keep a personal calendar feed',
  'meetings:create': 'Schedule meetings you host (participants are e-mailed an invitation)',
  'meetings:update': 'Change, cancel and invite to the meetings you host',
  'meetings:delete': 'Delete the meetings you host',
  'meetings:manage': 'Change, cancel and delete any meeting of the organization, not only yours',
  'webhooks:read': 'List and read webhook subscriptions and their deliveries (never their secrets)',
  'webhooks:create': 'Subscribe URLs to the organization’s events (outbound webhooks)',
  'webhooks:update': 'Change, pause and resume webhook subscriptions',
  'webhooks:delete': 'Delete webhook subscriptions and their delivery history',
  'webhooks:manage': 'Rotate webhook signing secrets and send deliveries again',
  'workflows:read':
    'List and read workflow definitions; see a record’s workflow and take the actions your roles allow',
  'workflows:create': 'Create draft workflows and new revisions of existing ones',
  'workflows:update': 'Change draft workflows',
  'workflows:delete': 'Delete workflows that are not active and that no record runs on',
  'workflows:manage':
    'Activate workflows (the previous active revision of the type is deactivated)',
  'automation:read': 'List and read automation rules and their runs; dry-run a rule on a record',
  'automation:create': 'Create automation rules (they act as their run-as user)',
  'automation:update': 'Change, enable and disable automation rules',
  'automation:delete': 'Delete automation rules (and their runs)',
  'automation:manage': 'Run automation rules manually and retry failed runs',
  'tenants:manage':
    'Export and delete tenants (root organizations with their subtree) (platform: superusers only)',
} as const;

export type PermissionCode = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as PermissionCode[];

/**
 * Permissions over global data shared by every tenant. No role can hold them (the role DTOs
 * refuse them); only superusers, who hold every permission, pass their checks.
 */
export const PLATFORM_PERMISSIONS: PermissionCode[] = [
  'users:create',
  'users:update',
  'users:delete',
  'memberships:create',
  'tenants:create',
  'currencies:manage',
  'units-of-measure:manage',
  'feature-flags:manage',
  'tenants:manage',
];

/** What a role (system or tenant) may hold. */
export const TENANT_PERMISSIONS = ALL_PERMISSIONS.filter((p) => !PLATFORM_PERMISSIONS.includes(p));

const readOnly = TENANT_PERMISSIONS.filter((p) => p.endsWith(':read'));
const BUSINESS_WRITES: PermissionCode[] = [
  'contacts:manage',
  'products:manage',
  'stock:move',
  'content-translations:manage',
  'chat:write',
  'comments:create',
  'activities:create',
  'activities:update',
  'activities:delete',
  'saved-filters:create',
  'documents:create',
  'documents:update',
  'documents:delete',
  'folders:create',
  'folders:update',
  'folders:delete',
  'meetings:create',
  'meetings:update',
  'meetings:delete',
];

/** System roles, shared by every tenant (organization_id NULL). */
export const SYSTEM_ROLES: Record<
  'Owner' | 'Admin' | 'Member' | 'Viewer',
  { description: string; permissions: PermissionCode[] }
> = {
  Owner: { description: 'Everything in the organization', permissions: TENANT_PERMISSIONS },
  Admin: {
    description: 'Manages users, memberships, roles and keys; cannot create sub-organizations',
    permissions: TENANT_PERMISSIONS.filter((p) => p !== 'organizations:create'),
  },
  Member: {
    description: 'Works with business data (contacts, products, stock); reads people and structure',
    permissions: [
      ...readOnly.filter(
        (p) =>
          p !== 'audit-logs:read' &&
          p !== 'api-keys:read' &&
          p !== 'invitations:read' &&
          p !== 'webhooks:read',
      ),
      ...BUSINESS_WRITES,
    ],
  },
  Viewer: {
    description: 'Reads business data',
    permissions: [
      'organizations:read',
      'currencies:read',
      'units-of-measure:read',
      'contacts:read',
      'categories:read',
      'tax:read',
      'products:read',
      'custom-fields:read',
      'warehouses:read',
      'stock:read',
      'files:read',
      'content-translations:read',
      'comments:read',
      'activities:read',
      'profiles:read',
      'timeline:read',
      'tags:read',
      'statuses:read',
      'saved-filters:read',
      'documents:read',
      'folders:read',
      'meetings:read',
      'workflows:read',
      // A viewer may keep views of what they read; sharing one stays with saved-filters:share.
      'saved-filters:create',
    ],
  },
};
