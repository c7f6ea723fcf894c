import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { RuleViolationError } from '../../core/http/errors';
import { PasswordHasher } from '../auth/password-hasher';

/**
 * `npm run cli -- create-admin --email E --password P`: creates the superuser, or resets its
 * password and re-activates it. On an empty install it also creates a root organization with the
 * admin as Owner, so the first login has somewhere to work. Idempotent.
 */
export async function createAdmin(
  dataSource: DataSource,
  email: string,
  password: string,
): Promise<{ userId: string; created: boolean; organizationId: string | null }> {
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new RuleViolationError('invalid_email', 'email is not valid');
  if (password.length < 12)
    throw new RuleViolationError('weak_password', 'password must be at least 12 characters');
  const hash = await new PasswordHasher().hash(password);
  return dataSource.transaction(async (manager) => {
    const [existing] = await manager.query<{ id: string }[]>(
      'SELECT id FROM users WHERE lower(email) = lower($1)',
      [email],
    );
    let userId: string;
    if (existing) {
      userId = existing.id;
      await manager.query(
        `UPDATE users SET password_hash = $2, is_superuser = true, is_active = true, failed_login_count = 0,
                          locked_until = NULL, password_changed_at = now(), version = version + 1 WHERE id = $1`,
        [userId, hash],
      );
    } else {
      userId = uuidv7();
      await manager.query(
        `INSERT INTO users (id, email, password_hash, full_name, is_superuser) VALUES ($1, $2, $3, 'Administrator', true)`,
        [userId, email.toLowerCase(), hash],
      );
    }
    let organizationId: string | null = null;
    const [anyOrganization] = await manager.query<{ id: string }[]>(
      'SELECT id FROM organizations LIMIT 1',
    );
    if (!anyOrganization) {
      organizationId = uuidv7();
      await manager.query(
        `INSERT INTO organizations (id, code, name, type_code, path, depth) VALUES ($1, 'ROOT', 'Root organization', 'company', $2, 0)`,
        [organizationId, `/${organizationId}/`],
      );
      const membershipId = uuidv7();
      await manager.query(
        `INSERT INTO memberships (id, organization_id, user_id, applies_to_descendants, is_default) VALUES ($1, $2, $3, true, true)`,
        [membershipId, organizationId, userId],
      );
      await manager.query(
        `INSERT INTO membership_roles (membership_id, role_id)
         SELECT $1, id FROM roles WHERE organization_id IS NULL AND name = 'Owner'`,
        [membershipId],
      );
    }
    return { userId, created: !existing, organizationId };
  });
}
