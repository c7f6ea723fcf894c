import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import type { AuditContext, Principal } from '../../core/auth';
import { iso } from '../../core/database';
import { ExpectedVersion, ListQuery, NotFoundError, Page, toPage } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { FilesService, sniffFileType } from '../files';
import { MembershipsService } from '../memberships';
import type {
  DirectoryEntryDto,
  MemberProfileDto,
  PersonProfileDto,
  UpdateMemberProfileDto,
  UpdateMyProfileDto,
  UserProfileDto,
} from './dto/profile.dto';
import { ProfilesErrors } from './profiles.errors';
import { MemberProfileRow, ProfilesRepository, UserProfileRow } from './profiles.repository';

/** The largest avatar, in bytes (SPEC-P3 §9: an image of at most 5 MB). */
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

const toUserProfileDto = (row: UserProfileRow): UserProfileDto => ({
  userId: row.user_id,
  jobTitle: row.job_title,
  phone: row.phone,
  avatar:
    row.avatar_file_id && row.avatar_organization_id
      ? { fileId: row.avatar_file_id, organizationId: row.avatar_organization_id }
      : null,
  workingHours: row.working_hours,
  outOfOfficeUntil: iso(row.out_of_office_until),
  delegateUserId: row.delegate_user_id,
  version: row.version,
});

const emptyProfile = (userId: string): UserProfileDto => ({
  userId,
  jobTitle: null,
  phone: null,
  avatar: null,
  workingHours: null,
  outOfOfficeUntil: null,
  delegateUserId: null,
  version: 1,
});

const toMemberProfileDto = (row: MemberProfileRow, withPrivate: boolean): MemberProfileDto => ({
  employeeId: row.employee_id,
  managerUserId: row.manager_user_id,
  department: row.department,
  employmentStart: row.employment_start,
  employmentEnd: row.employment_end,
  ...(withPrivate ? { privateNotes: row.private_notes } : {}),
  version: row.version,
});

const EMPTY_MEMBER: MemberProfileRow = {
  user_id: '',
  employee_id: null,
  manager_user_id: null,
  department: null,
  employment_start: null,
  employment_end: null,
  private_notes: null,
  version: 0,
};

/** Sent value, or the stored one when the field was omitted (`null` clears). */
const pick = <T>(sent: T | undefined, stored: T): T => (sent === undefined ? stored : sent);

/**
 * Profiles (SPEC-P3 §9): the person's own (`user_profiles`, made lazily on first use, written in a
 * `runAsSystem('identity-directory')` transaction because it is not any one tenant's) and each
 * organization's record of its members (`member_profiles`, tenant transactions). Memberships and
 * accounts are read through `MembershipsService`; avatars are stored through `FilesService`.
 */
@Injectable()
export class ProfilesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: ProfilesRepository,
    private readonly memberships: MembershipsService,
    private readonly files: FilesService,
    private readonly audit: AuditService,
  ) {}

  /** `GET /me/profile`: the caller's profile (created empty on first use). */
  myProfile(userId: string): Promise<UserProfileDto> {
    return this.db.runAsSystem('identity-directory', async (manager) =>
      toUserProfileDto(await this.repository.ensureUserProfile(manager, userId)),
    );
  }

  /**
   * `PATCH /me/profile` at `If-Match` (412 when stale). 422 `invalid_delegate` when the delegate
   * is the caller or does not share an active organization with them. Audited as `user_profile`
   * in the active organization's chain (system chain without one).
   */
  async updateMyProfile(
    caller: Principal,
    userId: string,
    dto: UpdateMyProfileDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<UserProfileDto> {
    if (dto.delegateUserId) {
      const shared =
        dto.delegateUserId !== userId &&
        (await this.memberships.sharedMember(userId, dto.delegateUserId));
      if (!shared) throw ProfilesErrors.invalid_delegate();
    }
    return this.db.runAsSystem('identity-directory', (manager) =>
      this.audit.updateGuarded(manager, expectedVersion, {
        read: async () =>
          toUserProfileDto(await this.repository.ensureUserProfile(manager, userId, true)),
        fields: ['jobTitle', 'phone', 'workingHours', 'outOfOfficeUntil', 'delegateUserId'],
        write: async (before) =>
          toUserProfileDto(
            await this.repository.updateUserProfile(manager, userId, {
              jobTitle: pick(dto.jobTitle, before.jobTitle),
              phone: pick(dto.phone, before.phone),
              workingHours: pick(dto.workingHours, before.workingHours),
              outOfOfficeUntil: pick(dto.outOfOfficeUntil, before.outOfOfficeUntil),
              delegateUserId: pick(dto.delegateUserId, before.delegateUserId),
            }),
          ),
        entry: {
          organizationId: caller.organizationId,
          entityType: 'user_profile',
          entityId: userId,
          context,
        },
      }),
    );
  }

  /**
   * `PUT /me/avatar`: stores the image in the active organization's files (through
   * `FilesService.upload`, audited there) and makes it the caller's avatar. The bytes are read
   * first (at most 5 MB + 1): larger → 422 `avatar_too_large`; not PNG/JPEG/GIF/WebP by its bytes
   * → 422 `avatar_not_image`; in both cases nothing is stored.
   */
  async setAvatar(
    orgId: string,
    userId: string,
    upload: { stream: Readable; filename: string },
    context: AuditContext,
  ): Promise<UserProfileDto> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of upload.stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += buffer.length;
      if (size > AVATAR_MAX_BYTES) {
        upload.stream.resume();
        throw ProfilesErrors.avatar_too_large(AVATAR_MAX_BYTES);
      }
      chunks.push(buffer);
    }
    const bytes = Buffer.concat(chunks);
    const type = sniffFileType(bytes.subarray(0, 64));
    if (!type || !type.contentType.startsWith('image/')) throw ProfilesErrors.avatar_not_image();
    const file = await this.files.upload(
      orgId,
      { stream: Readable.from([bytes]), filename: upload.filename, declaredType: type.contentType },
      context,
    );
    return this.db.runAsSystem('identity-directory', async (manager) => {
      const before = await this.repository.ensureUserProfile(manager, userId, true);
      const after = await this.repository.setAvatar(manager, userId, {
        fileId: file.id,
        organizationId: orgId,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'update',
        entityType: 'user_profile',
        entityId: userId,
        changes: { avatar: { from: before.avatar_file_id, to: file.id } },
        context,
      });
      return toUserProfileDto(after);
    });
  }

  /** `DELETE /me/avatar`: clears the avatar (the stored file stays in its organization's files). */
  async clearAvatar(userId: string, orgId: string | null, context: AuditContext): Promise<void> {
    await this.db.runAsSystem('identity-directory', async (manager) => {
      const before = await this.repository.ensureUserProfile(manager, userId, true);
      if (!before.avatar_file_id) return;
      await this.repository.setAvatar(manager, userId, null);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'update',
        entityType: 'user_profile',
        entityId: userId,
        changes: { avatar: { from: before.avatar_file_id, to: null } },
        context,
      });
    });
  }

  /**
   * `GET /members?q=&cursor=`: the active organization's active members with job title and
   * avatar, by name (two queries per page whatever its size, plus the total).
   */
  directory(orgId: string, query: ListQuery<'name', 'q'>): Promise<Page<DirectoryEntryDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total, nextCursor } = await this.memberships.directory(manager, orgId, query);
      const profiles = new Map(
        (
          await this.repository.userProfilesOf(
            manager,
            rows.map((r) => r.user_id),
          )
        ).map((p) => [p.user_id, toUserProfileDto(p)]),
      );
      const items = rows.map((row): DirectoryEntryDto => {
        const profile = profiles.get(row.user_id);
        return {
          userId: row.user_id,
          fullName: row.full_name,
          email: row.email,
          jobTitle: profile?.jobTitle ?? null,
          avatar: profile?.avatar ?? null,
        };
      });
      return toPage(items, total, query, nextCursor);
    });
  }

  /**
   * `GET /users/{id}/profile`: 404 unless the person is active and shares an organization with
   * the caller (SPEC-P3 §9). `member` is the active organization's record of them (null when they
   * are not its member); `privateNotes` only with `profiles:read-private`.
   */
  async personProfile(
    caller: Principal,
    viewerId: string,
    orgId: string,
    userId: string,
  ): Promise<PersonProfileDto> {
    const person = await this.memberships.sharedMember(viewerId, userId);
    if (!person) throw new NotFoundError('User');
    const profile = await this.db.runAsSystem('identity-directory', (manager) =>
      this.repository.findUserProfile(manager, userId),
    );
    const member = await this.db.read(orgId, async (manager) => {
      if (!(await this.memberships.isActiveMember(manager, orgId, userId))) return null;
      return (await this.repository.findMemberProfile(manager, orgId, userId)) ?? EMPTY_MEMBER;
    });
    return {
      id: person.user_id,
      fullName: person.full_name,
      email: person.email,
      profile: profile ? toUserProfileDto(profile) : emptyProfile(userId),
      member: member
        ? toMemberProfileDto(member, caller.permissions.has('profiles:read-private'))
        : null,
    };
  }

  /**
   * `PATCH /members/{userId}/profile` (`profiles:manage`) at `If-Match` (412 when stale; a member
   * with no record yet is at version 0). 404 when the user is not an active member; 422
   * `invalid_manager` (not an active member, or the member), `manager_cycle` (the manager reports
   * to the member, found by a recursive CTE under a per-organization lock so two concurrent
   * changes cannot close a loop), `invalid_employment_dates`; 409 naming `employeeId` when taken.
   */
  updateMemberProfile(
    orgId: string,
    userId: string,
    dto: UpdateMemberProfileDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<MemberProfileDto> {
    return this.db.run(orgId, async (manager) => {
      if (!(await this.memberships.isActiveMember(manager, orgId, userId))) {
        throw new NotFoundError('Member');
      }
      if (dto.managerUserId !== undefined && dto.managerUserId !== null) {
        await this.repository.lockManagerChains(manager, orgId);
      }
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: async () =>
          toMemberProfileDto(
            (await this.repository.findMemberProfile(manager, orgId, userId, true)) ?? EMPTY_MEMBER,
            true,
          ),
        fields: [
          'employeeId',
          'managerUserId',
          'department',
          'employmentStart',
          'employmentEnd',
          'privateNotes',
        ],
        write: async (before) => {
          const values = {
            employeeId: pick(dto.employeeId, before.employeeId),
            managerUserId: pick(dto.managerUserId, before.managerUserId),
            department: pick(dto.department, before.department),
            employmentStart: pick(dto.employmentStart, before.employmentStart),
            employmentEnd: pick(dto.employmentEnd, before.employmentEnd),
            privateNotes: pick(dto.privateNotes, before.privateNotes ?? null),
          };
          if (
            values.employmentStart &&
            values.employmentEnd &&
            values.employmentEnd < values.employmentStart
          ) {
            throw ProfilesErrors.invalid_employment_dates();
          }
          if (dto.managerUserId)
            await this.assertManager(manager, orgId, userId, dto.managerUserId);
          return toMemberProfileDto(
            await this.repository.upsertMemberProfile(manager, orgId, userId, values),
            true,
          );
        },
        entry: { organizationId: orgId, entityType: 'member_profile', entityId: userId, context },
      });
    });
  }

  private async assertManager(
    manager: EntityManager,
    orgId: string,
    userId: string,
    managerUserId: string,
  ): Promise<void> {
    if (
      managerUserId === userId ||
      !(await this.memberships.isActiveMember(manager, orgId, managerUserId))
    ) {
      throw ProfilesErrors.invalid_manager();
    }
    if (await this.repository.reportsTo(manager, orgId, managerUserId, userId)) {
      throw ProfilesErrors.manager_cycle();
    }
  }
}
