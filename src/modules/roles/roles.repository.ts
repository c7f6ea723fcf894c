import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';

export interface RoleRow {
  id: string;
  organization_id: string | null;
  name: string;
  description: string;
  is_system: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
  permissions: string[];
}

const SELECT = `SELECT r.id, r.organization_id, r.name, r.description, r.is_system, r.version, r.created_at, r.updated_at,
                       COALESCE(array_agg(rp.permission_code ORDER BY rp.permission_code)
                                FILTER (WHERE rp.permission_code IS NOT NULL), '{}') AS permissions
                  FROM roles r LEFT JOIN role_permissions rp ON rp.role_id = r.id`;

/**
 * The only SQL on roles and role_permissions. A tenant sees system roles and its own. Every method
 * runs on the caller's transaction (`manager`, normally `TenantDatabase.run(organizationId, …)`)
 * and takes the organization id right after it.
 */
@Injectable()
export class RolesRepository {
  list(manager: EntityManager, organizationId: string): Promise<RoleRow[]> {
    return manager.query<RoleRow[]>(
      `${SELECT} WHERE r.organization_id IS NULL OR r.organization_id = $1
       GROUP BY r.id ORDER BY r.is_system DESC, lower(r.name)`,
      [organizationId],
    );
  }

  async find(
    manager: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<RoleRow | undefined> {
    const [row] = await manager.query<RoleRow[]>(
      `${SELECT} WHERE r.id = $2 AND (r.organization_id IS NULL OR r.organization_id = $1) GROUP BY r.id`,
      [organizationId, id],
    );
    return row;
  }

  /** The ids (of those given) that this organization may assign: system roles and its own. */
  async assignable(
    manager: EntityManager,
    organizationId: string,
    ids: string[],
  ): Promise<Set<string>> {
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM roles WHERE id = ANY($2) AND (organization_id IS NULL OR organization_id = $1)`,
      [organizationId, ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  async insert(
    manager: EntityManager,
    organizationId: string,
    id: string,
    name: string,
    description: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO roles (id, organization_id, name, description) VALUES ($1, $2, $3, $4)`,
      [id, organizationId, name, description],
    );
  }

  async update(
    manager: EntityManager,
    organizationId: string,
    id: string,
    version: number,
    changes: { name?: string; description?: string },
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE roles SET name = COALESCE($4, name), description = COALESCE($5, description),
                        version = version + 1, updated_at = now()
        WHERE id = $1 AND organization_id = $2 AND version = $3 RETURNING id`,
      [id, organizationId, version, changes.name ?? null, changes.description ?? null],
    );
    return rows.length === 1;
  }

  async setPermissions(
    manager: EntityManager,
    organizationId: string,
    roleId: string,
    permissions: string[],
  ): Promise<void> {
    await manager.query(
      'DELETE FROM role_permissions rp USING roles r WHERE rp.role_id = $1 AND r.id = rp.role_id AND r.organization_id = $2',
      [roleId, organizationId],
    );
    await manager.query(
      `INSERT INTO role_permissions (role_id, permission_code) SELECT $1, unnest($2::text[])`,
      [roleId, permissions],
    );
  }

  async delete(manager: EntityManager, organizationId: string, id: string): Promise<void> {
    await manager.query('DELETE FROM roles WHERE id = $1 AND organization_id = $2', [
      id,
      organizationId,
    ]);
  }
}
