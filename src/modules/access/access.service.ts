import { Injectable } from '@nestjs/common';
import { CacheService, LocalCache, PRINCIPALS_CACHE } from '../../core/cache';
import { TenantDatabase } from '../../core/tenancy';
import { ALL_PERMISSIONS, SYSTEM_ROLES } from './permissions.registry';

const CACHE_NAMESPACE = 'access';
const CACHE_TTL_SECONDS = 300;

export interface OrganizationAccess {
  /** The user may act in this organization (a membership here, or an ancestor's that extends down). */
  member: boolean;
  permissions: string[];
  /** The organization's default language (cached with the access; org updates invalidate it). */
  language: string | null;
  /** The organization is archived: read-only for everyone in its context (archive/restore invalidate it). */
  archived: boolean;
}

/**
 * Effective permissions of a user in an organization: the union of the roles of every membership
 * that applies there. Cached per (org, user) under a generation that role and membership changes
 * bump, so a revoked permission stops working at once.
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly cache: CacheService,
    private readonly local: LocalCache,
  ) {}

  async resolve(
    userId: string,
    organizationId: string,
    isSuperuser: boolean,
  ): Promise<OrganizationAccess> {
    if (isSuperuser) {
      // In memory only (organization changes invalidate `access`, see invalidate()).
      return this.local.getOrLoad(
        CACHE_NAMESPACE,
        `superuser:${organizationId}`,
        CACHE_TTL_SECONDS * 1000,
        async () => {
          const [org] = await this.db.runAsSystem('access', (m) =>
            m.query<{ language: string | null; status: string }[]>(
              'SELECT language, status FROM organizations WHERE id = $1',
              [organizationId],
            ),
          );
          return {
            member: org !== undefined,
            permissions: org ? ALL_PERMISSIONS : [],
            language: org?.language ?? null,
            archived: org?.status === 'archived',
          };
        },
      );
    }
    return this.cache.getOrLoadCurrent(
      CACHE_NAMESPACE,
      `${CACHE_NAMESPACE}:${organizationId}:${userId}`,
      CACHE_TTL_SECONDS,
      () => this.load(userId, organizationId),
    );
  }

  private async load(userId: string, organizationId: string): Promise<OrganizationAccess> {
    const rows = await this.db.runAsSystem('access', (m) =>
      m.query<{ permission_code: string | null; language: string | null; status: string }[]>(
        `SELECT DISTINCT rp.permission_code, target.language, target.status
         FROM organizations target
         JOIN memberships m ON m.user_id = $1
         JOIN organizations home ON home.id = m.organization_id
         LEFT JOIN membership_roles mr ON mr.membership_id = m.id
         LEFT JOIN role_permissions rp ON rp.role_id = mr.role_id
        WHERE target.id = $2
          AND m.suspended_at IS NULL
          AND (m.organization_id = target.id
               OR (m.applies_to_descendants AND target.path LIKE home.path || '%'))`,
        [userId, organizationId],
      ),
    );
    return {
      member: rows.length > 0,
      permissions: rows
        .map((r) => r.permission_code)
        .filter((p): p is string => p !== null)
        .sort(),
      language: rows[0]?.language ?? null,
      archived: rows[0]?.status === 'archived',
    };
  }

  /** Permissions of an API key's role (kept in memory until a role change invalidates `access`). */
  rolePermissions(roleId: string): Promise<string[]> {
    return this.local.getOrLoad(
      CACHE_NAMESPACE,
      `role:${roleId}`,
      CACHE_TTL_SECONDS * 1000,
      async () => {
        const rows = await this.db.runAsSystem('access', (m) =>
          m.query<{ permission_code: string }[]>(
            'SELECT permission_code FROM role_permissions WHERE role_id = $1 ORDER BY 1',
            [roleId],
          ),
        );
        return rows.map((r) => r.permission_code);
      },
    );
  }

  /** The id of a system role (Owner, Admin, Member, Viewer), seeded by the access seeder. */
  async systemRoleId(name: keyof typeof SYSTEM_ROLES): Promise<string> {
    const [row] = await this.db.runAsSystem('access', (m) =>
      m.query<{ id: string }[]>(
        'SELECT id FROM roles WHERE organization_id IS NULL AND is_system AND name = $1',
        [name],
      ),
    );
    if (!row) throw new Error(`System role ${name} is missing: run the seed`);
    return row.id;
  }

  /** The organization a user lands in without X-Organization-Id (in memory, like `resolve`). */
  async defaultOrganizationId(userId: string): Promise<string | null> {
    const key = `default:${userId}`;
    const cached = this.local.get<string>(CACHE_NAMESPACE, key);
    if (cached !== undefined) return cached;
    const epoch = this.local.epoch(CACHE_NAMESPACE);
    const [row] = await this.db.runAsSystem('access', (m) =>
      m.query<{ organization_id: string }[]>(
        `SELECT organization_id FROM memberships WHERE user_id = $1 AND suspended_at IS NULL
        ORDER BY is_default DESC, created_at LIMIT 1`,
        [userId],
      ),
    );
    // "No organization" is not kept: the first membership may come from a path that does not
    // invalidate `access` (sign-up, tenant provisioning).
    if (row)
      this.local.set(CACHE_NAMESPACE, key, row.organization_id, CACHE_TTL_SECONDS * 1000, epoch);
    return row?.organization_id ?? null;
  }

  /**
   * A token that changes whenever {@link invalidate} runs anywhere (roles, role permissions,
   * memberships changed): long-lived holders of resolved permissions (realtime sockets) compare it
   * to know when to resolve again.
   */
  generation(): Promise<string> {
    return this.cache.generation(CACHE_NAMESPACE);
  }

  /**
   * Call after committing a change to roles, role permissions, memberships or organizations
   * (language, archive): bumps the `access` generation (Redis) and clears, in every instance, the
   * in-memory `access` entries and the auth guard's cached principals (an API key's organization).
   */
  async invalidate(): Promise<void> {
    await this.cache.bump(CACHE_NAMESPACE);
    await this.local.invalidate(PRINCIPALS_CACHE);
  }
}
