import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';
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

/** The only SQL on users. Tenant views list users through their membership of one organization. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async listMembers(
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
    const from = `FROM users u JOIN memberships m ON m.user_id = u.id WHERE ${conditions.join(' AND ')}`;
    const [{ total }] = await this.dataSource.query<{ total: number }[]>(
      `SELECT count(*)::int AS total ${from}`,
      parameters,
    );
    const order = [...query.sort.map((s) => `${SORT[s.field]} ${s.direction}`), 'u.id'].join(', ');
    const rows = await this.dataSource.query<UserRow[]>(
      `SELECT ${COLUMNS} ${from} ORDER BY ${order} LIMIT ${query.size} OFFSET ${query.offset}`,
      parameters,
    );
    return { rows, total };
  }

  async findMember(
    organizationId: string,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<UserRow | undefined> {
    const [row] = await manager.query<UserRow[]>(
      `SELECT ${COLUMNS} FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.organization_id = $1 AND u.id = $2`,
      [organizationId, id],
    );
    return row;
  }

  /** Any account by id (superusers act on every account). */
  async findById(
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<UserRow | undefined> {
    const [row] = await manager.query<UserRow[]>(`SELECT ${COLUMNS} FROM users u WHERE u.id = $1`, [
      id,
    ]);
    return row;
  }

  /** The account with this email (case-insensitive), if any. */
  async findByEmail(
    email: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<UserRow | undefined> {
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
}
