import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { WorkingHours } from './profile.entity';

/** A `user_profiles` row. */
export interface UserProfileRow {
  user_id: string;
  job_title: string | null;
  phone: string | null;
  avatar_file_id: string | null;
  avatar_organization_id: string | null;
  working_hours: WorkingHours | null;
  out_of_office_until: Date | null;
  delegate_user_id: string | null;
  version: number;
}

/** A `member_profiles` row (`employment_*` as `YYYY-MM-DD` text). */
export interface MemberProfileRow {
  user_id: string;
  employee_id: string | null;
  manager_user_id: string | null;
  department: string | null;
  employment_start: string | null;
  employment_end: string | null;
  private_notes: string | null;
  version: number;
}

/** The writable columns of `user_profiles`; every value is written as given (null clears). */
export interface UserProfileValues {
  jobTitle: string | null;
  phone: string | null;
  workingHours: WorkingHours | null;
  outOfOfficeUntil: string | null;
  delegateUserId: string | null;
}

/** The writable columns of `member_profiles`; every value is written as given (null clears). */
export interface MemberProfileValues {
  employeeId: string | null;
  managerUserId: string | null;
  department: string | null;
  employmentStart: string | null;
  employmentEnd: string | null;
  privateNotes: string | null;
}

const USER_COLUMNS = `user_id, job_title, phone, avatar_file_id, avatar_organization_id, working_hours,
  out_of_office_until, delegate_user_id, version`;
const MEMBER_COLUMNS = `user_id, employee_id, manager_user_id, department,
  to_char(employment_start, 'YYYY-MM-DD') AS employment_start,
  to_char(employment_end, 'YYYY-MM-DD') AS employment_end, private_notes, version`;

/**
 * The only SQL on `user_profiles` (a person's, not tenant-owned: callers run it in a
 * `runAsSystem('identity-directory')` transaction or read it inside a tenant one) and
 * `member_profiles` (tenant-owned: organization id first, in every WHERE, under row-level
 * security). Never opens a transaction.
 */
@Injectable()
export class ProfilesRepository {
  /**
   * The user's profile, created empty first when missing (profiles are made lazily: accounts are
   * created by users, invitations and the CLI, none of which know this module). `forUpdate` locks it.
   */
  async ensureUserProfile(
    manager: EntityManager,
    userId: string,
    forUpdate = false,
  ): Promise<UserProfileRow> {
    await manager.query(
      'INSERT INTO user_profiles (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING',
      [userId],
    );
    const [row] = await manager.query<UserProfileRow[]>(
      `SELECT ${USER_COLUMNS} FROM user_profiles WHERE user_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [userId],
    );
    return row;
  }

  /** The user's profile, or undefined when none was made yet (reads that must not write). */
  async findUserProfile(
    manager: EntityManager,
    userId: string,
  ): Promise<UserProfileRow | undefined> {
    const [row] = await manager.query<UserProfileRow[]>(
      `SELECT ${USER_COLUMNS} FROM user_profiles WHERE user_id = $1`,
      [userId],
    );
    return row;
  }

  /** The profiles of these users that exist (directory pages: one query per page). */
  userProfilesOf(manager: EntityManager, userIds: string[]): Promise<UserProfileRow[]> {
    return manager.query<UserProfileRow[]>(
      `SELECT ${USER_COLUMNS} FROM user_profiles WHERE user_id = ANY($1::uuid[])`,
      [userIds],
    );
  }

  /** Writes every field of the profile and bumps its version; returns the new row. */
  async updateUserProfile(
    manager: EntityManager,
    userId: string,
    values: UserProfileValues,
  ): Promise<UserProfileRow> {
    const [rows] = await manager.query<[UserProfileRow[], number]>(
      `UPDATE user_profiles SET job_title = $2, phone = $3, working_hours = $4::jsonb,
              out_of_office_until = $5, delegate_user_id = $6, version = version + 1, updated_at = now()
        WHERE user_id = $1 RETURNING ${USER_COLUMNS}`,
      [
        userId,
        values.jobTitle,
        values.phone,
        values.workingHours === null ? null : JSON.stringify(values.workingHours),
        values.outOfOfficeUntil,
        values.delegateUserId,
      ],
    );
    return rows[0];
  }

  /** Sets (or, with nulls, clears) the avatar and bumps the version; returns the new row. */
  async setAvatar(
    manager: EntityManager,
    userId: string,
    avatar: { fileId: string; organizationId: string } | null,
  ): Promise<UserProfileRow> {
    const [rows] = await manager.query<[UserProfileRow[], number]>(
      `UPDATE user_profiles SET avatar_file_id = $2, avatar_organization_id = $3,
              version = version + 1, updated_at = now()
        WHERE user_id = $1 RETURNING ${USER_COLUMNS}`,
      [userId, avatar?.fileId ?? null, avatar?.organizationId ?? null],
    );
    return rows[0];
  }

  /** The organization's record of the member, or undefined. `forUpdate` locks it. */
  async findMemberProfile(
    manager: EntityManager,
    orgId: string,
    userId: string,
    forUpdate = false,
  ): Promise<MemberProfileRow | undefined> {
    const [row] = await manager.query<MemberProfileRow[]>(
      `SELECT ${MEMBER_COLUMNS} FROM member_profiles WHERE organization_id = $1 AND user_id = $2${
        forUpdate ? ' FOR UPDATE' : ''
      }`,
      [orgId, userId],
    );
    return row;
  }

  /**
   * Inserts or replaces the organization's record of the member (a unique `employee_id` per
   * organization, case-insensitively: a duplicate raises 23505 → 409 naming it); bumps the version.
   */
  async upsertMemberProfile(
    manager: EntityManager,
    orgId: string,
    userId: string,
    values: MemberProfileValues,
  ): Promise<MemberProfileRow> {
    const [row] = await manager.query<MemberProfileRow[]>(
      `INSERT INTO member_profiles (organization_id, user_id, employee_id, manager_user_id, department,
                                    employment_start, employment_end, private_notes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (organization_id, user_id) DO UPDATE SET
         employee_id = EXCLUDED.employee_id, manager_user_id = EXCLUDED.manager_user_id,
         department = EXCLUDED.department, employment_start = EXCLUDED.employment_start,
         employment_end = EXCLUDED.employment_end, private_notes = EXCLUDED.private_notes,
         version = member_profiles.version + 1, updated_at = now()
       RETURNING ${MEMBER_COLUMNS}`,
      [
        orgId,
        userId,
        values.employeeId,
        values.managerUserId,
        values.department,
        values.employmentStart,
        values.employmentEnd,
        values.privateNotes,
      ],
    );
    return row;
  }

  /**
   * Serialises manager changes of one organization for the rest of the transaction (an advisory
   * lock keyed by the organization), so two concurrent changes cannot each pass the cycle check
   * and together close a loop.
   */
  async lockManagerChains(manager: EntityManager, orgId: string): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('member_profiles:' || $1, 0))`,
      [orgId],
    );
  }

  /**
   * Whether `managerUserId` reports, directly or through others, to `userId` in the
   * organization (walks the manager chain up from `managerUserId` with a recursive CTE; the
   * chain is acyclic because every write runs this check, `UNION` stops on any stray loop).
   */
  async reportsTo(
    manager: EntityManager,
    orgId: string,
    managerUserId: string,
    userId: string,
  ): Promise<boolean> {
    const [row] = await manager.query<{ found: boolean }[]>(
      `WITH RECURSIVE chain(user_id) AS (
         SELECT manager_user_id FROM member_profiles WHERE organization_id = $1 AND user_id = $2
         UNION
         SELECT mp.manager_user_id FROM member_profiles mp JOIN chain c ON mp.user_id = c.user_id
          WHERE mp.organization_id = $1
       )
       SELECT EXISTS (SELECT 1 FROM chain WHERE user_id = $3) AS found`,
      [orgId, managerUserId, userId],
    );
    return row.found;
  }
}
