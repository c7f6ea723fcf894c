import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { PasswordHasher, revokeAllSessionsOfUser } from '../auth';
import { UsersErrors } from './users.errors';

/** Smallest admin password the CLI accepts (the API's own rule for new passwords). */
const MIN_PASSWORD_LENGTH = 12;

function assertStrongEnough(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw UsersErrors.weak_password(MIN_PASSWORD_LENGTH);
}

/**
 * `npm run cli -- create-admin --email E --password P [--if-missing]`: creates the superuser, or
 * resets its password and re-activates it (ending its sessions: refresh tokens revoked). With
 * `ifMissing` an existing user is left exactly as it is (`skipped: true`): `npm start` uses that so
 * the admin is created once and a password changed later through the API is never reverted. On an
 * empty install it also creates a root organization with the admin as Owner, so the first login
 * has somewhere to work. Idempotent.
 *
 * @throws RuleViolationError `invalid_email` or `weak_password` (< 12 characters)
 */
export async function createAdmin(
  dataSource: DataSource,
  email: string,
  password: string,
  options: { ifMissing?: boolean } = {},
): Promise<{ userId: string; created: boolean; skipped: boolean; organizationId: string | null }> {
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw UsersErrors.invalid_email();
  assertStrongEnough(password);
  const hash = await new PasswordHasher().hash(password);
  return dataSource.transaction(async (manager) => {
    const [existing] = await manager.query<{ id: string }[]>(
      'SELECT id FROM users WHERE lower(email) = lower($1)',
      [email],
    );
    let userId: string;
    if (existing && options.ifMissing) {
      return { userId: existing.id, created: false, skipped: true, organizationId: null };
    }
    if (existing) {
      userId = existing.id;
      await manager.query(
        `UPDATE users SET password_hash = $2, is_superuser = true, is_active = true, failed_login_count = 0,
                          locked_until = NULL, password_changed_at = now(), version = version + 1 WHERE id = $1`,
        [userId, hash],
      );
      await revokeAllSessionsOfUser(manager, userId, new Date());
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
    return { userId, created: !existing, skipped: false, organizationId };
  });
}

/**
 * `npm run cli -- reset-admin-password [--email E] [--password P]`: sets a new password for a
 * superuser, unlocks it and ends all of its sessions (refresh tokens revoked) in one transaction.
 * Without `email` the only superuser is meant; without `password` a random 24-character one is
 * generated. Returns the password that is now valid (to print once).
 *
 * @throws RuleViolationError `admin_not_found` (no such superuser), `admin_ambiguous` (no email and
 *   several superusers), `weak_password` (< 12 characters)
 */
export async function resetAdminPassword(
  dataSource: DataSource,
  options: { email?: string; password?: string },
): Promise<{ email: string; password: string; revokedSessions: number }> {
  const password = options.password ?? randomBytes(18).toString('base64url');
  assertStrongEnough(password);
  const hash = await new PasswordHasher().hash(password);
  return dataSource.transaction(async (manager) => {
    const admins = await manager.query<{ id: string; email: string }[]>(
      `SELECT id, email FROM users
        WHERE is_superuser AND ($1::text IS NULL OR lower(email) = lower($1))
        ORDER BY email LIMIT 2`,
      [options.email ?? null],
    );
    if (admins.length === 0) throw UsersErrors.admin_not_found(options.email);
    if (admins.length > 1) throw UsersErrors.admin_ambiguous();
    const [admin] = admins;
    await manager.query(
      `UPDATE users SET password_hash = $2, is_active = true, failed_login_count = 0, locked_until = NULL,
                        password_changed_at = now(), version = version + 1, updated_at = now() WHERE id = $1`,
      [admin.id, hash],
    );
    const revokedSessions = await revokeAllSessionsOfUser(manager, admin.id, new Date());
    return { email: admin.email, password, revokedSessions };
  });
}
