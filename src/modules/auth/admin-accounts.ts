import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { TenantDatabase } from '../../core/tenancy';
import { PasswordHasher, UserAccountsService, UsersErrors, UsersRepository } from '../users';
import { revokeAllSessionsOfUser } from './revoke-sessions';

/** The users module's account service outside Nest (the CLI has a bare DataSource). */
function accountsOf(dataSource: DataSource): {
  db: TenantDatabase;
  accounts: UserAccountsService;
} {
  const db = new TenantDatabase(dataSource);
  return { db, accounts: new UserAccountsService(new UsersRepository(), db) };
}

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
  const { db, accounts } = accountsOf(dataSource);
  return db.runAsSystem('migrations-seeding', async (manager) => {
    const existingId = await accounts.findIdByEmail(manager, email);
    let userId: string;
    if (existingId && options.ifMissing) {
      return { userId: existingId, created: false, skipped: true, organizationId: null };
    }
    if (existingId) {
      userId = existingId;
      await accounts.makeActiveSuperuser(manager, userId, hash);
      await revokeAllSessionsOfUser(manager, userId, new Date());
    } else {
      userId = uuidv7();
      await accounts.insertSuperuser(manager, userId, email.toLowerCase(), hash);
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
    return { userId, created: !existingId, skipped: false, organizationId };
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
  const { db, accounts } = accountsOf(dataSource);
  return db.runAsSystem('migrations-seeding', async (manager) => {
    const admins = await accounts.findSuperusers(manager, options.email ?? null);
    if (admins.length === 0) throw UsersErrors.admin_not_found(options.email);
    if (admins.length > 1) throw UsersErrors.admin_ambiguous();
    const [admin] = admins;
    await accounts.resetSuperuserPassword(manager, admin.id, hash);
    const revokedSessions = await revokeAllSessionsOfUser(manager, admin.id, new Date());
    return { email: admin.email, password, revokedSessions };
  });
}
