import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext, Principal } from '../../core/auth';
import {
  assertVersionMatches,
  ExpectedVersion,
  ListQuery,
  NotFoundError,
  Page,
  PreconditionFailedError,
  toPage,
} from '../../core/http';
import { AuditService } from '../audit';
import { MailService } from '../mail';
import { LocalCache, PRINCIPALS_CACHE } from '../../core/cache';
import { Clock } from '../../core/clock';
import { TenantDatabase } from '../../core/tenancy';
import { MembershipsService } from '../memberships';
import { OrganizationsService } from '../organizations';
import { AccountField, assertMayChangeAccount, requirePerson } from '../access';
import type { CreateUserDto, UpdateOwnProfileDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { UserFilter, UserRow, UsersRepository, UserSort } from './users.repository';
import { UsersErrors } from './users.errors';
import { PasswordHasher } from './password-hasher';
import { AccountSessions, INVITATION_TOKEN_TTL_MS } from './account-sessions';

const toDto = (row: UserRow): UserDto => ({
  id: row.id,
  email: row.email,
  fullName: row.full_name,
  isActive: row.is_active,
  isSuperuser: row.is_superuser,
  language: row.language,
  timezone: row.timezone,
  totpEnabled: row.totp_enabled,
  lastLoginAt: row.last_login_at ? new Date(row.last_login_at).toISOString() : null,
  version: row.version,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const AUDITED: (keyof UserDto)[] = [
  'email',
  'fullName',
  'language',
  'timezone',
  'isActive',
  'isSuperuser',
];

/**
 * Users as an organization's admin sees them: the members of the active organization. Creating a
 * user also makes them a member, in one transaction; deleting deactivates and ends their sessions.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly memberships: MembershipsService,
    private readonly organizations: OrganizationsService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: AccountSessions,
    private readonly audit: AuditService,
    private readonly db: TenantDatabase,
    private readonly mail: MailService,
    private readonly clock: Clock,
    private readonly local: LocalCache,
  ) {}

  async list(
    organizationId: string,
    query: ListQuery<UserSort, UserFilter>,
  ): Promise<Page<UserDto>> {
    const { rows, total } = await this.db.runAsSystem('identity-directory', (m) =>
      this.repository.listMembers(m, organizationId, query),
    );
    return toPage(rows.map(toDto), total, query);
  }

  /**
   * One account as `caller` may see it: a member of the active organization, or any account for a
   * superuser. Anything else is 404, exactly like an id that does not exist.
   */
  async get(organizationId: string, id: string, caller?: Principal): Promise<UserDto> {
    return toDto(await this.visible(organizationId, id, caller));
  }

  private async visible(
    organizationId: string | null,
    id: string,
    caller?: Principal,
  ): Promise<UserRow> {
    // A superuser sees every account and a person their own; others, members of the organization.
    const anyAccount = caller?.kind === 'user' && (caller.isSuperuser || caller.userId === id);
    let row: UserRow | undefined;
    if (anyAccount) {
      row = await this.db.runAsSystem('identity-directory', (m) => this.repository.findById(m, id));
    } else if (organizationId) {
      row = await this.db.runAsSystem('identity-directory', (m) =>
        this.repository.findMember(m, organizationId, id),
      );
    }
    if (!row) throw new NotFoundError('User');
    return row;
  }

  /** Creates an account (superusers only: organizations invite people instead). */
  async create(
    organizationId: string,
    dto: CreateUserDto,
    caller: Principal,
    context: AuditContext,
  ): Promise<UserDto> {
    const id = uuidv7();
    assertMayChangeAccount(caller, id, ['email', 'isActive']);
    // An invited user gets an unguessable password nobody knows until they choose theirs.
    const passwordHash = await this.hasher.hash(
      dto.password ?? randomBytes(32).toString('base64url'),
    );
    await this.db.runAsSystem('identity-directory', async (manager) => {
      await this.repository.insert(manager, {
        id,
        email: dto.email.toLowerCase(),
        passwordHash,
        fullName: dto.fullName ?? '',
        language: dto.language ?? null,
        timezone: dto.timezone ?? 'UTC',
      });
      await this.audit.record(manager, {
        organizationId,
        action: 'create',
        entityType: 'user',
        entityId: id,
        changes: {
          email: dto.email.toLowerCase(),
          fullName: dto.fullName ?? '',
          password: dto.password ? 'set' : 'invited',
        },
        context,
      });
      await this.memberships.addInTransaction(
        manager,
        organizationId,
        { userId: id, roleIds: dto.roleIds, isDefault: true },
        context,
      );
      if (!dto.password) await this.invite(manager, organizationId, id, dto, context);
    });
    return this.get(organizationId, id, caller);
  }

  /** Mails the invitation (queued in this transaction: no user without their mail, and back). */
  private async invite(
    manager: EntityManager,
    organizationId: string,
    userId: string,
    dto: CreateUserDto,
    context: AuditContext,
  ): Promise<void> {
    const organization = await this.organizations.findInTransaction(manager, organizationId);
    const inviter = context.actorUserId
      ? await this.repository.findById(manager, context.actorUserId)
      : undefined;
    const expiresAt = new Date(this.clock.now().getTime() + INVITATION_TOKEN_TTL_MS);
    const link = await this.sessions.issuePasswordLink(manager, userId, expiresAt);
    await this.mail.send(dto.email, 'invitation', dto.language ?? 'en', {
      name: dto.fullName || dto.email,
      email: dto.email,
      link,
      inviter: inviter?.full_name || 'An administrator',
      organization: organization?.name ?? '',
      validDays: INVITATION_TOKEN_TTL_MS / 86_400_000,
    });
  }

  /**
   * Changes an account: its owner (own profile fields, via `PATCH /auth/me`) or a superuser (any
   * field of any account) — `assertMayChangeAccount` decides. Demoting or deactivating the last
   * active superuser is 409 `last_superuser`; nobody deactivates themself (422).
   */
  async update(
    organizationId: string | null,
    id: string,
    dto: UpdateUserDto,
    expectedVersion: ExpectedVersion,
    caller: Principal,
    context: AuditContext,
  ): Promise<UserDto> {
    const before = await this.visible(organizationId, id, caller);
    assertVersionMatches(expectedVersion, before.version);
    const fields = (Object.keys(dto) as AccountField[]).filter((f) => dto[f] !== undefined);
    assertMayChangeAccount(caller, id, fields);
    if (dto.isActive === false && id === caller.userId) {
      throw UsersErrors.cannot_deactivate_self();
    }
    const demotes =
      before.is_superuser &&
      before.is_active &&
      (dto.isSuperuser === false || dto.isActive === false);
    // The audit row goes to the active organization only when the account is one of its members;
    // a superuser changing anyone else's account must not show that account to the organization.
    const auditOrganizationId =
      organizationId &&
      (await this.db.runAsSystem('identity-directory', (m) =>
        this.repository.findMember(m, organizationId, id),
      ))
        ? organizationId
        : null;
    const updated = await this.db.runAsSystem('identity-directory', async (manager) => {
      if (demotes && (await this.repository.lockOtherActiveSuperusers(manager, id)) === 0) {
        throw UsersErrors.last_superuser();
      }
      return this.audit.recordUpdate(
        manager,
        toDto(before),
        AUDITED,
        async () => {
          const row = await this.repository.update(manager, id, before.version, {
            email: dto.email?.toLowerCase(),
            full_name: dto.fullName,
            language: dto.language,
            timezone: dto.timezone,
            is_active: dto.isActive,
            is_superuser: dto.isSuperuser,
          });
          if (!row) throw new PreconditionFailedError();
          return toDto(row);
        },
        {
          organizationId: auditOrganizationId,
          action: 'update',
          entityType: 'user',
          entityId: id,
          context,
        },
      );
    });
    if (dto.isActive === false) await this.sessions.endAll(id);
    // Active, superuser and language are what the auth guard keeps of a caller: drop it everywhere.
    await this.local.invalidate(PRINCIPALS_CACHE);
    return updated;
  }

  /** Deactivates an account everywhere and ends its sessions (superusers only). */
  async deactivate(
    organizationId: string,
    id: string,
    caller: Principal,
    context: AuditContext,
  ): Promise<void> {
    const user = await this.visible(organizationId, id, caller);
    await this.update(organizationId, id, { isActive: false }, user.version, caller, context);
  }

  /** `PATCH /auth/me`: the person changes their own profile (never an API key: 403 `user_required`). */
  async updateOwnProfile(
    caller: Principal,
    dto: UpdateOwnProfileDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<UserDto> {
    const userId = requirePerson(caller);
    // As the person, not as a superuser: only the self-service fields pass the policy.
    return this.update(
      caller.organizationId,
      userId,
      dto,
      expectedVersion,
      { ...caller, isSuperuser: false },
      context,
    );
  }
}
