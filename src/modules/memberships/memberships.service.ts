import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantDatabase } from '../../core/tenancy';
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
import { AccessService, assertMayManageMembershipOf } from '../access';
import { AuditService } from '../audit';
import { RolesService } from '../roles';
import type { CreateMembershipDto, MembershipDto, UpdateMembershipDto } from './dto/membership.dto';
import {
  MembershipFilter,
  MembershipRow,
  MembershipSort,
  DirectoryMemberRow,
  MembershipsRepository,
  UserMembershipRow,
} from './memberships.repository';
import { MembershipsErrors } from './memberships.errors';
import { MemberAccounts } from './member-accounts';

const toDto = (row: MembershipRow): MembershipDto => ({
  id: row.id,
  organizationId: row.organization_id,
  userId: row.user_id,
  userEmail: row.user_email,
  userFullName: row.user_full_name,
  status: row.suspended_at ? 'suspended' : 'active',
  suspendedAt: row.suspended_at ? new Date(row.suspended_at).toISOString() : null,
  roles: row.roles,
  appliesToDescendants: row.applies_to_descendants,
  isDefault: row.is_default,
  version: row.version,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** Who belongs to the active organization, with which roles. Changes invalidate the access cache. */
@Injectable()
export class MembershipsService {
  constructor(
    private readonly repository: MembershipsRepository,
    private readonly roles: RolesService,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly db: TenantDatabase,
    private readonly accounts: MemberAccounts,
  ) {}

  /** Whether an account with this email is a member of the organization (caller's transaction). */
  isMemberByEmail(manager: EntityManager, organizationId: string, email: string): Promise<boolean> {
    return this.repository.isMemberByEmail(manager, organizationId, email);
  }

  /** Whether the user has any membership yet (the first becomes their default), caller's transaction. */
  hasAny(manager: EntityManager, userId: string): Promise<boolean> {
    return this.repository.hasAny(manager, userId);
  }

  /**
   * The user's active memberships across organizations (for `GET /auth/me`), in a
   * `runAsSystem('identity-directory')` transaction: a person's memberships span tenants.
   */
  ofUser(userId: string): Promise<UserMembershipRow[]> {
    return this.db.runAsSystem('identity-directory', (m) => this.repository.ofUser(m, userId));
  }

  /**
   * One page of the active organization's member directory (SPEC-P3 §9 `GET /members?q=`), in the
   * caller's tenant transaction: active members only, by name; see `MembershipsRepository.directory`.
   */
  directory(
    manager: EntityManager,
    organizationId: string,
    query: ListQuery<'name', 'q'>,
  ): Promise<{ rows: DirectoryMemberRow[]; total: number; nextCursor?: string }> {
    return this.repository.directory(manager, organizationId, query);
  }

  /** Whether `userId` is an active member of the organization (caller's tenant transaction). */
  isActiveMember(manager: EntityManager, organizationId: string, userId: string): Promise<boolean> {
    return this.repository.isActiveMember(manager, organizationId, userId);
  }

  /**
   * `userId`'s name and email when the account is active and shares an organization with
   * `viewerId` (SPEC-P3 §9: otherwise the caller must get 404), in a
   * `runAsSystem('identity-directory')` transaction: the check spans tenants.
   */
  sharedMember(viewerId: string, userId: string): Promise<DirectoryMemberRow | undefined> {
    return this.db.runAsSystem('identity-directory', (m) =>
      this.repository.sharedMember(m, viewerId, userId),
    );
  }

  async list(
    organizationId: string,
    query: ListQuery<MembershipSort, MembershipFilter>,
  ): Promise<Page<MembershipDto>> {
    const { rows, total } = await this.db.read(organizationId, (m) =>
      this.repository.list(m, organizationId, query),
    );
    return toPage(rows.map(toDto), total, query);
  }

  async get(organizationId: string, id: string, manager?: EntityManager): Promise<MembershipDto> {
    const row = manager
      ? await this.repository.find(manager, organizationId, id)
      : await this.db.runAsSystem('identity-directory', (m) =>
          this.repository.find(m, organizationId, id),
        );
    if (!row) throw new NotFoundError('Membership');
    return toDto(row);
  }

  /** A membership of this organization that `caller` may change (the account policy decides). */
  private async manageable(
    organizationId: string,
    id: string,
    caller: Principal,
  ): Promise<MembershipRow> {
    const row = await this.db.runAsSystem('identity-directory', (m) =>
      this.repository.find(m, organizationId, id),
    );
    if (!row) throw new NotFoundError('Membership');
    assertMayManageMembershipOf(caller, {
      userId: row.user_id,
      isSuperuser: row.user_is_superuser,
    });
    return row;
  }

  /**
   * Organization-level deactivation: a suspended member keeps their account and membership row
   * but has no access to this organization (nor below it) from their next request on — the access
   * cache is invalidated after commit. Not yourself (422 `cannot_suspend_self`), not the last
   * active Owner (422 `last_owner`), not a superuser unless you are one (403).
   */
  async setSuspended(
    organizationId: string,
    id: string,
    suspended: boolean,
    expectedVersion: ExpectedVersion,
    caller: Principal,
    context: AuditContext,
  ): Promise<MembershipDto> {
    const before = toDto(await this.manageable(organizationId, id, caller));
    assertVersionMatches(expectedVersion, before.version);
    if (suspended && before.userId === caller.userId) {
      throw MembershipsErrors.cannot_suspend_self();
    }
    await this.db.runAsSystem('identity-directory', async (manager) => {
      if (
        suspended &&
        before.roles.some((r) => r.name === 'Owner') &&
        (await this.repository.otherOwners(manager, organizationId, id)) === 0
      ) {
        throw MembershipsErrors.last_owner();
      }
      if (
        !(await this.repository.setSuspended(
          manager,
          organizationId,
          id,
          before.version,
          suspended,
        ))
      ) {
        throw new PreconditionFailedError();
      }
      await this.audit.record(manager, {
        organizationId,
        action: suspended ? 'suspend' : 'reactivate',
        entityType: 'membership',
        entityId: id,
        changes: {
          userId: before.userId,
          status: { from: before.status, to: suspended ? 'suspended' : 'active' },
        },
        context,
      });
    });
    await this.access.invalidate();
    return this.get(organizationId, id);
  }

  /** 422 `unknown_role` on `/roleIds` unless every role is a system role or one of this organization. */
  async assertAssignable(organizationId: string, roleIds: string[]): Promise<void> {
    const allowed = await this.roles.assignable(organizationId, roleIds);
    const unknown = roleIds.filter((id) => !allowed.has(id));
    if (unknown.length > 0) {
      throw MembershipsErrors.unknown_role(unknown);
    }
  }

  /** Used by users (invite) too: adds a membership inside the caller's transaction. */
  async addInTransaction(
    manager: EntityManager,
    organizationId: string,
    input: {
      userId: string;
      roleIds: string[];
      appliesToDescendants?: boolean;
      isDefault?: boolean;
    },
    context: AuditContext,
  ): Promise<string> {
    await this.assertAssignable(organizationId, input.roleIds);
    const id = uuidv7();
    await this.repository.insert(manager, organizationId, {
      id,
      userId: input.userId,
      appliesToDescendants: input.appliesToDescendants ?? false,
      isDefault: input.isDefault ?? false,
    });
    await this.repository.setRoles(manager, id, input.roleIds);
    const created = await this.get(organizationId, id, manager);
    await this.audit.record(manager, {
      organizationId,
      action: 'create',
      entityType: 'membership',
      entityId: id,
      changes: {
        userId: input.userId,
        roles: created.roles.map((r) => r.name),
        appliesToDescendants: created.appliesToDescendants,
      },
      context,
    });
    return id;
  }

  async create(
    organizationId: string,
    dto: CreateMembershipDto,
    context: AuditContext,
  ): Promise<MembershipDto> {
    const exists = await this.db.runAsSystem('identity-directory', (m) =>
      this.accounts.exists(m, dto.userId),
    );
    if (!exists) {
      throw MembershipsErrors.unknown_user();
    }
    const id = await this.db.runAsSystem('identity-directory', (manager) =>
      this.addInTransaction(manager, organizationId, dto, context),
    );
    await this.access.invalidate();
    return this.get(organizationId, id);
  }

  async update(
    organizationId: string,
    id: string,
    dto: UpdateMembershipDto,
    expectedVersion: ExpectedVersion,
    caller: Principal,
    context: AuditContext,
  ): Promise<MembershipDto> {
    const before = toDto(await this.manageable(organizationId, id, caller));
    assertVersionMatches(expectedVersion, before.version);
    if (dto.roleIds) await this.assertAssignable(organizationId, dto.roleIds);
    let names: string[] = [];
    // Roles compared as a set of ids: their order is not a change.
    const state = (m: MembershipDto) => ({
      roles: m.roles.map((r) => r.id).sort(),
      appliesToDescendants: m.appliesToDescendants,
    });
    await this.db.runAsSystem('identity-directory', (manager) =>
      this.audit.recordUpdate(
        manager,
        state(before),
        ['roles', 'appliesToDescendants'],
        async () => {
          if (
            !(await this.repository.update(
              manager,
              organizationId,
              id,
              before.version,
              dto.appliesToDescendants,
            ))
          ) {
            throw new PreconditionFailedError();
          }
          if (dto.roleIds) await this.repository.setRoles(manager, id, dto.roleIds);
          const after = await this.get(organizationId, id, manager);
          if (
            dto.roleIds &&
            (await this.repository.otherOwners(manager, organizationId, id)) === 0 &&
            before.roles.some((r) => r.name === 'Owner') &&
            !after.roles.some((r) => r.name === 'Owner')
          ) {
            throw MembershipsErrors.last_owner('/roleIds');
          }
          names = after.roles.map((r) => r.name);
          return state(after);
        },
        {
          organizationId,
          action: 'update',
          entityType: 'membership',
          entityId: id,
          context,
          describe: (from, to) => ({
            roles: { from: before.roles.map((r) => r.name), to: names },
            appliesToDescendants: { from: from.appliesToDescendants, to: to.appliesToDescendants },
          }),
        },
      ),
    );
    await this.access.invalidate();
    return this.get(organizationId, id);
  }

  async delete(
    organizationId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    caller: Principal,
    context: AuditContext,
  ): Promise<void> {
    const before = toDto(await this.manageable(organizationId, id, caller));
    assertVersionMatches(expectedVersion, before.version);
    await this.db.runAsSystem('identity-directory', async (manager) => {
      if (
        before.roles.some((r) => r.name === 'Owner') &&
        (await this.repository.otherOwners(manager, organizationId, id)) === 0
      ) {
        throw MembershipsErrors.last_owner();
      }
      await this.repository.delete(manager, organizationId, id);
      await this.audit.record(manager, {
        organizationId,
        action: 'delete',
        entityType: 'membership',
        entityId: id,
        changes: { userId: before.userId, roles: before.roles.map((r) => r.name) },
        context,
      });
    });
    await this.access.invalidate();
  }
}
