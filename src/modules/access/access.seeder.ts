import type { DataSource } from 'typeorm';
import type { Seeder } from '../../core/database';
import { PERMISSIONS, SYSTEM_ROLES } from './permissions.registry';

/**
 * Permissions from code (removed ones deleted, so a role cannot keep a permission that no longer
 * exists) and the system roles with exactly their declared permissions.
 */
export const accessSeeder: Seeder = {
  name: 'permissions and system roles',
  async run(dataSource: DataSource) {
    return dataSource.transaction(async (manager) => {
      const codes = Object.keys(PERMISSIONS);
      for (const [code, description] of Object.entries(PERMISSIONS)) {
        await manager.query(
          `INSERT INTO permissions (code, description) VALUES ($1, $2)
           ON CONFLICT (code) DO UPDATE SET description = EXCLUDED.description`,
          [code, description],
        );
      }
      await manager.query('DELETE FROM permissions WHERE NOT (code = ANY($1))', [codes]);
      for (const [name, role] of Object.entries(SYSTEM_ROLES)) {
        const existing = await manager.query<{ id: string }[]>(
          'SELECT id FROM roles WHERE organization_id IS NULL AND lower(name) = lower($1)',
          [name],
        );
        const roleId =
          existing[0]?.id ??
          (
            await manager.query<{ id: string }[]>(
              `INSERT INTO roles (name, description, is_system) VALUES ($1, $2, true) RETURNING id`,
              [name, role.description],
            )
          )[0].id;
        await manager.query(
          'DELETE FROM role_permissions WHERE role_id = $1 AND NOT (permission_code = ANY($2))',
          [roleId, role.permissions],
        );
        for (const code of role.permissions) {
          await manager.query(
            'INSERT INTO role_permissions (role_id, permission_code) VALUES ($1, $2) ON CONFLICT DO NOTHING',
            [roleId, code],
          );
        }
      }
      return `${codes.length} permissions, ${Object.keys(SYSTEM_ROLES).length} system roles`;
    });
  },
};
