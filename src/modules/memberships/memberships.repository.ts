import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  deleteTenantRow,
  escapeLike,
  filterSql,
  Keyset,
  returningRows,
  selectPage,
} from '../../core/database';
import { ListQuery } from '../../core/http';

export interface MembershipRow {
  id: string;
  organization_id: string;
  user_id: string;
  user_email: string;
  user_full_name: string;
  user_is_superuser: boolean;
  suspended_at: Date | null;
  roles: { id: string; name: string }[];
  applies_to_descendants: boolean;
  is_default: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export type MembershipSort = 'createdAt' | 'email';
export type MembershipFilter = 'userId' | 'roleId' | 'status';

const SELECT = `SELECT m.id, m.organization_id, m.user_id, u.email AS user_email, u.full_name AS user_full_name,
                       u.is_superuser AS user_is_superuser, m.suspended_at, m.applies_to_descendants, m.is_default, m.version, m.created_at, m.updated_at,
                       COALESCE(json_agg(json_build_object('id', r.id, 'name', r.name) ORDER BY r.name)
                                FILTER (WHERE r.id IS NOT NULL), '[]') AS roles
                  FROM memberships m
                  JOIN users u ON u.id = m.user_id
                  LEFT JOIN membership_roles mr ON mr.membership_id = m.id
                  LEFT JOIN roles r ON r.id = mr.role_id`;
const SORT: Record<MembershipSort, string> = { createdAt: 'm.created_at', email: 'lower(u.email)' };

/**
 * The only SQL on memberships; every query is confined to one organization (first argument).
 * Lists run under row-level security; writes run as the owner role because the default-organization
 * flag is the user's and spans organizations (`insert` clears the previous default elsewhere).
 */
@Injectable()
export class MembershipsRepository {
  /** Active members of the organization (see `MemberDirectory.activeMembers`), by user id. */
  async activeMembers(
    manager: EntityManager,
    organizationId: string,
    filter: { userIds?: readonly string[]; roleId?: string } = {},
  ): Promise<{ userId: string; email: string; fullName: string; language: string | null }[]> {
    const rows = await manager.query<
      { user_id: string; email: string; full_name: string; language: string | null }[]
    >(
      `SELECT m.user_id, u.email, u.full_name, u.language
         FROM memberships m
         JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1
          AND m.suspended_at IS NULL
          AND u.is_active
          AND ($2::uuid[] IS NULL OR m.user_id = ANY($2::uuid[]))
          AND ($3::uuid IS NULL OR EXISTS (
                SELECT 1 FROM membership_roles mr WHERE mr.membership_id = m.id AND mr.role_id = $3))
        ORDER BY m.user_id`,
      [organizationId, filter.userIds ? [...filter.userIds] : null, filter.roleId ?? null],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      email: r.email,
      fullName: r.full_name,
      language: r.language,
    }));
  }

  async list(
    manager: EntityManager,
    organizationId: string,
    query: ListQuery<MembershipSort, MembershipFilter>,
  ): Promise<{ rows: MembershipRow[]; total: number }> {
    const conditions = ['m.organization_id = $1'];
    const parameters: unknown[] = [organizationId];
    if (query.filters.userId !== undefined) {
      parameters.push(query.filters.userId);
      conditions.push(`m.user_id = $${parameters.length}`);
    }
    if (query.filters.roleId !== undefined) {
      parameters.push(query.filters.roleId);
      conditions.push(
        `EXISTS (SELECT 1 FROM membership_roles x WHERE x.membership_id = m.id AND x.role_id = $${parameters.length})`,
      );
    }
    if (query.filters.status !== undefined) {
      conditions.push(
        query.filters.status === 'suspended'
          ? 'm.suspended_at IS NOT NULL'
          : 'm.suspended_at IS NULL',
      );
    }
    if (query.filter) conditions.push(filterSql(query.filter, parameters));
    const where = conditions.join(' AND ');
    const [{ total }] = await manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM memberships m WHERE ${where}`,
      parameters,
    );
    const order = [...query.sort.map((s) => `${SORT[s.field]} ${s.direction}`), 'm.id'].join(', ');
    const rows = await manager.query<MembershipRow[]>(
      `${SELECT} WHERE ${where} GROUP BY m.id, u.email, u.full_name, u.is_superuser ORDER BY ${order} LIMIT ${query.size} OFFSET ${query.offset}`,
      parameters,
    );
    return { rows, total };
  }

  async find(
    manager: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<MembershipRow | undefined> {
    const [row] = await manager.query<MembershipRow[]>(
      `${SELECT} WHERE m.organization_id = $1 AND m.id = $2 GROUP BY m.id, u.email, u.full_name, u.is_superuser`,
      [organizationId, id],
    );
    return row;
  }

  async insert(
    manager: EntityManager,
    organizationId: string,
    row: { id: string; userId: string; appliesToDescendants: boolean; isDefault: boolean },
  ): Promise<void> {
    if (row.isDefault) {
      // One default per user: this one replaces the previous.
      await manager.query(
        'UPDATE memberships SET is_default = false WHERE user_id = $1 AND is_default',
        [row.userId],
      );
    }
    await manager.query(
      `INSERT INTO memberships (id, organization_id, user_id, applies_to_descendants, is_default) VALUES ($1, $2, $3, $4, $5)`,
      [row.id, organizationId, row.userId, row.appliesToDescendants, row.isDefault],
    );
  }

  async setRoles(manager: EntityManager, membershipId: string, roleIds: string[]): Promise<void> {
    await manager.query('DELETE FROM membership_roles WHERE membership_id = $1', [membershipId]);
    await manager.query(
      'INSERT INTO membership_roles (membership_id, role_id) SELECT $1, unnest($2::uuid[])',
      [membershipId, roleIds],
    );
  }

  async update(
    manager: EntityManager,
    organizationId: string,
    id: string,
    version: number,
    appliesToDescendants: boolean | undefined,
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE memberships SET applies_to_descendants = COALESCE($4, applies_to_descendants), version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND version = $3 RETURNING id`,
      [organizationId, id, version, appliesToDescendants ?? null],
    );
    return rows.length === 1;
  }

  async delete(manager: EntityManager, organizationId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'memberships', organizationId, id);
  }

  /** Suspends (`suspended = true`) or reactivates a membership if it is still at `version`. */
  async setSuspended(
    manager: EntityManager,
    organizationId: string,
    id: string,
    version: number,
    suspended: boolean,
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE memberships SET suspended_at = CASE WHEN $4 THEN now() ELSE NULL END,
              version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND version = $3 RETURNING id`,
      [organizationId, id, version, suspended],
    );
    return rows.length === 1;
  }

  /**
   * Active (not suspended) Owners of the organization other than this membership (the last
   * Owner cannot leave, be demoted or be suspended).
   */
  async otherOwners(
    manager: EntityManager,
    organizationId: string,
    membershipId: string,
  ): Promise<number> {
    const [row] = await manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM memberships m
         JOIN membership_roles mr ON mr.membership_id = m.id
         JOIN roles r ON r.id = mr.role_id AND r.is_system AND r.name = 'Owner'
        WHERE m.organization_id = $1 AND m.id <> $2 AND m.suspended_at IS NULL`,
      [organizationId, membershipId],
    );
    return row.n;
  }

  /** Whether an account with this email (case-insensitive) is a member of the organization. */
  async isMemberByEmail(
    manager: EntityManager,
    organizationId: string,
    email: string,
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 AND lower(u.email) = lower($2)`,
      [organizationId, email],
    );
    return rows.length > 0;
  }

  /** Whether the user has any membership, in any organization. */
  async hasAny(manager: EntityManager, userId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM memberships WHERE user_id = $1 LIMIT 1',
      [userId],
    );
    return rows.length > 0;
  }

  /**
   * The user's active (not suspended) memberships in every organization, by organization name,
   * with the organization's name and the names of the roles held (`GET /auth/me`).
   */
  ofUser(manager: EntityManager, userId: string): Promise<UserMembershipRow[]> {
    return manager.query<UserMembershipRow[]>(
      `SELECT m.organization_id, o.name, m.applies_to_descendants, m.is_default,
              COALESCE(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.id IS NOT NULL), '{}') AS roles
         FROM memberships m
         JOIN organizations o ON o.id = m.organization_id
         LEFT JOIN membership_roles mr ON mr.membership_id = m.id
         LEFT JOIN roles r ON r.id = mr.role_id
        WHERE m.user_id = $1 AND m.suspended_at IS NULL
        GROUP BY m.id, o.name
        ORDER BY o.name`,
      [userId],
    );
  }

  /**
   * One page of the organization's directory: its active members (membership not suspended,
   * account active) by folded name (`sort=-name`: descending), then user id. `q` matches the start of the name, of any word of it, or of the
   * email, ignoring case and accents (`search_fold`). Runs in the caller's tenant transaction.
   */
  directory(
    manager: EntityManager,
    organizationId: string,
    query: ListQuery<'name', 'q'>,
  ): Promise<{ rows: DirectoryMemberRow[]; total: number; nextCursor?: string }> {
    const where = new Conditions()
      .add('m.organization_id = ?', organizationId)
      .add('m.suspended_at IS NULL AND u.is_active');
    const q = query.filters.q;
    if (typeof q === 'string' && q !== '') {
      const prefix = `${escapeLike(q)}%`;
      where.add(
        `(search_fold(u.full_name) ILIKE search_fold(?) OR search_fold(u.full_name) ILIKE '% ' || search_fold(?)
          OR lower(u.email) LIKE lower(?))`,
        prefix,
        prefix,
        prefix,
      );
    }
    where.addFilter(query.filter);
    return selectPage<DirectoryMemberRow>(manager, {
      select: 'u.id AS user_id, u.full_name, u.email',
      from: 'memberships m JOIN users u ON u.id = m.user_id',
      where,
      order: '',
      keyset: directoryKeyset(query.sort[0]?.direction ?? 'ASC'),
      query,
    });
  }

  /** Whether the user is an active member (not suspended, account active) of the organization. */
  async isActiveMember(
    manager: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 AND m.user_id = $2 AND m.suspended_at IS NULL AND u.is_active`,
      [organizationId, userId],
    );
    return rows.length > 0;
  }

  /**
   * `userId`'s directory entry when that account is active and shares at least one organization
   * with `viewerId` (both memberships active), else undefined. Spans tenants: run it as the
   * `identity-directory` system path.
   */
  async sharedMember(
    manager: EntityManager,
    viewerId: string,
    userId: string,
  ): Promise<DirectoryMemberRow | undefined> {
    const [row] = await manager.query<DirectoryMemberRow[]>(
      `SELECT u.id AS user_id, u.full_name, u.email
         FROM users u
        WHERE u.id = $2 AND u.is_active
          AND EXISTS (SELECT 1 FROM memberships theirs JOIN memberships mine
                         ON mine.organization_id = theirs.organization_id
                      WHERE theirs.user_id = $2 AND theirs.suspended_at IS NULL
                        AND mine.user_id = $1 AND mine.suspended_at IS NULL)`,
      [viewerId, userId],
    );
    return row;
  }

  /**
   * Whether a membership holds the role (`RoleUsage`, for roles' delete check). Runs in the
   * caller's tenant transaction: row-level security limits it to the organization's memberships.
   */
  async holdsRole(
    manager: EntityManager,
    organizationId: string,
    roleId: string,
  ): Promise<boolean> {
    const [row] = await manager.query<{ used: boolean }[]>(
      'SELECT EXISTS (SELECT 1 FROM membership_roles WHERE role_id = $1) AS used',
      [roleId],
    );
    return row.used;
  }
}

/** One entry of the member directory (`directory`, `sharedMember`). */
export interface DirectoryMemberRow {
  user_id: string;
  full_name: string;
  email: string;
}

/** Directory order: folded name, then user id (keyset: `?cursor=` at any depth). */
const directoryKeyset = (direction: 'ASC' | 'DESC'): Keyset => ({
  column: 'lower(search_fold(u.full_name))',
  type: 'text',
  direction,
  id: 'u.id',
});

/** One of a user's memberships as `GET /auth/me` lists it (`ofUser`). */
export interface UserMembershipRow {
  organization_id: string;
  /** The organization's name. */
  name: string;
  applies_to_descendants: boolean;
  is_default: boolean;
  /** Names of the roles held, sorted. */
  roles: string[];
}
