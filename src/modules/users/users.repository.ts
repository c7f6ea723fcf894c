import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { filterSql, returningRows } from '../../core/database';
import { ListQuery } from '../../core/http';

export interface UserRow {
  id: string;
  email: string;
  full_name: string;
  is_active: boolean;
  is_superuser: boolean;
  language: string | null;
  timezone: string;
  totp_enabled: boolean;
  last_login_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export type UserSort = 'email' | 'fullName' | 'createdAt';
export type UserFilter = 'isActive' | 'q';

const COLUMNS = `u.id, u.email, u.full_name, u.is_active, u.is_superuser, u.language, u.timezone, u.totp_enabled,
                 u.last_login_at, u.version, u.created_at, u.updated_at`;
const SORT: Record<UserSort, string> = {
  email: 'lower(u.email)',
  fullName: 'lower(u.full_name)',
  createdAt: 'u.created_at',
};
const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * An account with its credential state, for sign-in (`UserAccountsService`): never sent to clients.
 * Times are `Date`s (timestamptz).
 */
export interface UserAccountRow extends UserRow {
  password_hash: string;
  totp_secret: string | null;
  locked_until: Date | null;
  failed_login_count: number;
}

/**
 * The only SQL on `users` (the auth flows, the CLI's admin commands and invitations reach it
 * through `UserAccountsService` / this repository's exported methods, never their own SQL). Every
 * method runs on the caller's transaction (`manager`) and opens none. `users` is a global table
 * (no `organization_id`): tenant views list users through their membership of one organization,
 * whose id is then the first argument after `manager`.
 */
@Injectable()
export class UsersRepository {
  async listMembers(
    manager: EntityManager,
    organizationId: string,
    query: ListQuery<UserSort, UserFilter>,
  ): Promise<{ rows: UserRow[]; total: number }> {
    const conditions = ['m.organization_id = $1'];
    const parameters: unknown[] = [organizationId];
    if (query.filters.isActive !== undefined) {
      parameters.push(query.filters.isActive);
      conditions.push(`u.is_active = $${parameters.length}`);
    }
    if (query.filters.q !== undefined) {
      // Names fold accents and Unicode forms (search_fold, as every list's ?q=); emails do not.
      parameters.push(`%${escapeLike(String(query.filters.q))}%`, String(query.filters.q));
      conditions.push(
        `(u.email ILIKE $${parameters.length - 1} OR search_fold(u.full_name) ILIKE search_contains($${parameters.length}))`,
      );
    }
    if (query.filter) conditions.push(filterSql(query.filter, parameters));
    const from = `FROM users u JOIN memberships m ON m.user_id = u.id WHERE ${conditions.join(' AND ')}`;
    const [{ total }] = await manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total ${from}`,
      parameters,
    );
    const order = [...query.sort.map((s) => `${SORT[s.field]} ${s.direction}`), 'u.id'].join(', ');
    const rows = await manager.query<UserRow[]>(
      `SELECT ${COLUMNS} ${from} ORDER BY ${order} LIMIT ${query.size} OFFSET ${query.offset}`,
      parameters,
    );
    return { rows, total };
  }

  async findMember(
    manager: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<UserRow | undefined> {
    const [row] = await manager.query<UserRow[]>(
      `SELECT ${COLUMNS} FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.organization_id = $1 AND u.id = $2`,
      [organizationId, id],
    );
    return row;
  }

  /** Any account by id (superusers act on every account). */
  async findById(manager: EntityManager, id: string): Promise<UserRow | undefined> {
    const [row] = await manager.query<UserRow[]>(`SELECT ${COLUMNS} FROM users u WHERE u.id = $1`, [
      id,
    ]);
    return row;
  }

  /** Whether an account with this id exists (active or not). Used by memberships through `MemberAccounts`. */
  async exists(manager: EntityManager, id: string): Promise<boolean> {
    return (await manager.query<unknown[]>('SELECT 1 FROM users WHERE id = $1', [id])).length > 0;
  }

  /** The account with this email (case-insensitive), if any. */
  async findByEmail(manager: EntityManager, email: string): Promise<UserRow | undefined> {
    const [row] = await manager.query<UserRow[]>(
      `SELECT ${COLUMNS} FROM users u WHERE lower(u.email) = lower($1)`,
      [email],
    );
    return row;
  }

  /**
   * Active superusers other than `userId`, counted while holding a lock on every active superuser
   * row (in id order, so concurrent demotions queue instead of deadlocking). Call inside the
   * transaction that demotes or deactivates `userId`: two superusers demoting each other at once
   * cannot both succeed.
   */
  async lockOtherActiveSuperusers(manager: EntityManager, userId: string): Promise<number> {
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM users WHERE is_superuser AND is_active ORDER BY id FOR UPDATE`,
    );
    return rows.filter((r) => r.id !== userId).length;
  }

  async insert(
    manager: EntityManager,
    row: {
      id: string;
      email: string;
      passwordHash: string;
      fullName: string;
      language: string | null;
      timezone: string;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO users (id, email, password_hash, full_name, language, timezone) VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, row.email, row.passwordHash, row.fullName, row.language, row.timezone],
    );
  }

  async update(
    manager: EntityManager,
    id: string,
    version: number,
    changes: Partial<
      Pick<UserRow, 'email' | 'full_name' | 'language' | 'timezone' | 'is_active' | 'is_superuser'>
    >,
  ): Promise<UserRow | undefined> {
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
    const sets = entries.map(([column], index) => `${column} = $${index + 3}`);
    const [row] = await returningRows<UserRow>(
      manager,
      `UPDATE users u SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
        WHERE id = $1 AND version = $2 RETURNING ${COLUMNS}`,
      [id, version, ...entries.map(([, value]) => value)],
    );
    return row;
  }

  /** The account with its credential state, by id or by email (case-insensitive). */
  async findAccount(
    manager: EntityManager,
    by: { id: string } | { email: string },
  ): Promise<UserAccountRow | undefined> {
    const [where, value] =
      'id' in by ? ['u.id = $1', by.id] : ['lower(u.email) = lower($1)', by.email];
    const [row] = await manager.query<UserAccountRow[]>(
      `SELECT ${COLUMNS}, u.password_hash, u.totp_secret, u.locked_until, u.failed_login_count
         FROM users u WHERE ${where}`,
      [value],
    );
    return row;
  }

  /** A successful sign-in: the failure counter and lock clear, `last_login_at` = `at`. */
  async recordLoginSuccess(manager: EntityManager, id: string, at: Date): Promise<void> {
    await manager.query(
      'UPDATE users SET failed_login_count = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1',
      [id, at],
    );
  }

  /**
   * Counts one failed sign-in and returns the new count; an expired lock (`locked_until <= at`)
   * is cleared and the count restarts at 1.
   */
  async countLoginFailure(manager: EntityManager, id: string, at: Date): Promise<number> {
    const [row] = await returningRows<{ failed_login_count: number }>(
      manager,
      `UPDATE users SET failed_login_count = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 ELSE failed_login_count + 1 END,
                        locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN NULL ELSE locked_until END
        WHERE id = $1 RETURNING failed_login_count`,
      [id, at],
    );
    return row.failed_login_count;
  }

  /** Locks the account until `until` and restarts the failure counter. */
  async lock(manager: EntityManager, id: string, until: Date): Promise<void> {
    await manager.query(
      'UPDATE users SET locked_until = $2, failed_login_count = 0 WHERE id = $1',
      [id, until],
    );
  }

  /** A new password hash (`changedAt` = `password_changed_at`); unlocks and bumps the version. */
  async setPassword(
    manager: EntityManager,
    id: string,
    passwordHash: string,
    changedAt: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET password_hash = $2, password_changed_at = $3, failed_login_count = 0,
                        locked_until = NULL, version = version + 1, updated_at = now()
        WHERE id = $1`,
      [id, passwordHash, changedAt],
    );
  }

  /** Stores a TOTP secret being enrolled (2FA stays off until verified). */
  async setTotpSecret(manager: EntityManager, id: string, secret: string): Promise<void> {
    await manager.query('UPDATE users SET totp_secret = $2 WHERE id = $1', [id, secret]);
  }

  /** Turns 2FA on with the enrolled secret. */
  async enableTotp(manager: EntityManager, id: string): Promise<void> {
    await manager.query('UPDATE users SET totp_enabled = true WHERE id = $1', [id]);
  }

  /** Turns 2FA off and forgets the secret. */
  async disableTotp(manager: EntityManager, id: string): Promise<void> {
    await manager.query('UPDATE users SET totp_enabled = false, totp_secret = NULL WHERE id = $1', [
      id,
    ]);
  }

  /** CLI `create-admin` on an existing account: new password, superuser, active, unlocked. */
  async makeActiveSuperuser(
    manager: EntityManager,
    id: string,
    passwordHash: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET password_hash = $2, is_superuser = true, is_active = true, failed_login_count = 0,
                        locked_until = NULL, password_changed_at = now(), version = version + 1 WHERE id = $1`,
      [id, passwordHash],
    );
  }

  /** CLI `create-admin` on a new email: the superuser account `Administrator`. */
  async insertSuperuser(
    manager: EntityManager,
    id: string,
    email: string,
    passwordHash: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO users (id, email, password_hash, full_name, is_superuser) VALUES ($1, $2, $3, 'Administrator', true)`,
      [id, email, passwordHash],
    );
  }

  /** Up to two superusers, all of them or the one with `email` (CLI `reset-admin-password`). */
  async findSuperusers(
    manager: EntityManager,
    email: string | null,
  ): Promise<{ id: string; email: string }[]> {
    return manager.query<{ id: string; email: string }[]>(
      `SELECT id, email FROM users
        WHERE is_superuser AND ($1::text IS NULL OR lower(email) = lower($1))
        ORDER BY email LIMIT 2`,
      [email],
    );
  }

  /** CLI `reset-admin-password`: new password, active, unlocked. */
  async resetSuperuserPassword(
    manager: EntityManager,
    id: string,
    passwordHash: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET password_hash = $2, is_active = true, failed_login_count = 0, locked_until = NULL,
                        password_changed_at = now(), version = version + 1, updated_at = now() WHERE id = $1`,
      [id, passwordHash],
    );
  }
}
