import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { TenantDatabase } from '../../core/tenancy';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext, Principal } from '../../core/auth';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import { ListQuery, NotFoundError, Page, toPage, ValidationFailedError } from '../../core/http';
import { AccessService, requirePerson } from '../access';
import { AuditService } from '../audit';
import { sha256 } from '../auth';
import { MailService } from '../mail';
import { MembershipsService } from '../memberships';
import { OrganizationsService } from '../organizations';
import { INVITATION_TOKEN_TTL_MS, PasswordHasher, UserAccountsService } from '../users';
import type {
  AcceptedInvitationDto,
  AcceptInvitationDto,
  CreateInvitationDto,
  InvitationDto,
} from './dto/invitation.dto';
import {
  InvitationFilter,
  InvitationRow,
  InvitationSort,
  InvitationsRepository,
} from './invitations.repository';
import { InvitationsErrors } from './invitations.errors';

const statusOf = (row: InvitationRow, now: Date): InvitationDto['status'] => {
  if (row.accepted_at) return 'accepted';
  if (row.revoked_at) return 'revoked';
  return new Date(row.expires_at) <= now ? 'expired' : 'pending';
};

/** What an invitation needs besides the request: who is named in the mail. */
export interface InvitationInput {
  email: string;
  roleIds: string[];
  appliesToDescendants?: boolean;
  /** The invitee's name for the mail greeting (tenant provisioning knows it); default the email. */
  inviteeName?: string;
}

/**
 * People join an organization by invitation (issue 13): a single-use token (32 random bytes, only
 * its SHA-256 stored, valid 7 days) mailed to the address. The answer to inviting never depends on
 * whether an account exists for the email, here or anywhere. Accepting creates the membership with
 * the invited roles, for the signed-in owner of that email or for a new account.
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly repository: InvitationsRepository,
    private readonly users: UserAccountsService,
    private readonly organizations: OrganizationsService,
    private readonly memberships: MembershipsService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    private readonly mail: MailService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly db: TenantDatabase,
  ) {}

  private toDto(row: InvitationRow): InvitationDto {
    return {
      id: row.id,
      organizationId: row.organization_id,
      email: row.email,
      roleIds: row.role_ids,
      appliesToDescendants: row.applies_to_descendants,
      status: statusOf(row, this.clock.now()),
      expiresAt: new Date(row.expires_at).toISOString(),
      invitedBy: row.invited_by,
      acceptedAt: row.accepted_at ? new Date(row.accepted_at).toISOString() : null,
      version: row.version,
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  async listPending(
    organizationId: string,
    query: ListQuery<InvitationSort, InvitationFilter>,
  ): Promise<Page<InvitationDto>> {
    const { rows, total } = await this.db.read(organizationId, (m) =>
      this.repository.listPending(m, organizationId, this.clock.now(), query),
    );
    return toPage(
      rows.map((r) => this.toDto(r)),
      total,
      query,
    );
  }

  async get(organizationId: string, id: string, manager?: EntityManager): Promise<InvitationDto> {
    const row = manager
      ? await this.repository.find(manager, organizationId, id)
      : await this.db.runAsSystem('identity-directory', (m) =>
          this.repository.find(m, organizationId, id),
        );
    if (!row) throw new NotFoundError('Invitation');
    return this.toDto(row);
  }

  /**
   * `POST /invitations`: the same 201 and body shape whether the email has an account here,
   * elsewhere or nowhere. Inviting an address again replaces its pending invitation (the old link
   * stops working). 422 `unknown_role` for roles not assignable here; 409 `already_member` when the
   * address already belongs to a member of this organization (its own data, no oracle).
   */
  async create(
    organizationId: string,
    dto: CreateInvitationDto,
    context: AuditContext,
  ): Promise<InvitationDto> {
    await this.memberships.assertAssignable(organizationId, dto.roleIds);
    const id = await this.db.runAsSystem('identity-directory', (manager) =>
      this.createInTransaction(manager, organizationId, dto, context),
    );
    return this.get(organizationId, id);
  }

  /** Creates an invitation and queues its mail inside the caller's transaction (tenants use it). */
  async createInTransaction(
    manager: EntityManager,
    organizationId: string,
    input: InvitationInput,
    context: AuditContext,
  ): Promise<string> {
    const email = input.email.toLowerCase();
    if (await this.memberships.isMemberByEmail(manager, organizationId, email)) {
      throw InvitationsErrors.already_member('invitee');
    }
    const now = this.clock.now();
    for (const replaced of await this.repository.revokePendingFor(
      manager,
      organizationId,
      email,
      now,
    )) {
      await this.audit.record(manager, {
        organizationId,
        action: 'revoke',
        entityType: 'invitation',
        entityId: replaced,
        changes: { reason: 'replaced' },
        context,
      });
    }
    const id = uuidv7();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + INVITATION_TOKEN_TTL_MS);
    await this.repository.insert(manager, {
      id,
      organizationId,
      email,
      roleIds: input.roleIds,
      appliesToDescendants: input.appliesToDescendants ?? false,
      tokenHash: sha256(token),
      expiresAt,
      invitedBy: context.actorUserId,
    });
    await this.audit.record(manager, {
      organizationId,
      action: 'create',
      entityType: 'invitation',
      entityId: id,
      changes: {
        email,
        roleIds: input.roleIds,
        appliesToDescendants: input.appliesToDescendants ?? false,
      },
      context,
    });
    const organization = await this.organizations.findInTransaction(manager, organizationId);
    const inviter = context.actorUserId
      ? await this.users.findRowById(manager, context.actorUserId)
      : undefined;
    // The organization's language, never the account's: the mail must not reveal an account.
    await this.mail.send(email, 'organization-invitation', organization?.language ?? 'en', {
      name: input.inviteeName || email,
      email,
      link: `${this.config.app.publicUrl}/accept-invitation?token=${token}`,
      inviter: inviter?.full_name || 'An administrator',
      organization: organization?.name ?? '',
      validDays: INVITATION_TOKEN_TTL_MS / 86_400_000,
    });
    return id;
  }

  /** `DELETE /invitations/{id}`: revokes a pending invitation (404 otherwise). */
  async revoke(organizationId: string, id: string, context: AuditContext): Promise<void> {
    await this.db.runAsSystem('identity-directory', async (manager) => {
      if (!(await this.repository.revoke(manager, organizationId, id, this.clock.now()))) {
        throw new NotFoundError('Invitation');
      }
      await this.audit.record(manager, {
        organizationId,
        action: 'revoke',
        entityType: 'invitation',
        entityId: id,
        changes: { reason: 'revoked' },
        context,
      });
    });
  }

  /**
   * `POST /invitations/{token}/accept`. An unknown, used, revoked or expired token is 404 (one
   * answer for all). Signed in (`caller`): the account's email must be the invited one (403
   * `invitation_email_mismatch`), an API key is 403 `user_required`. Anonymous: `password` and
   * `fullName` create the account (422 when missing; 409 `account_exists` when the address has an
   * account — the token holder owns the mailbox, so this reveals nothing new: sign in, then accept).
   */
  async accept(
    token: string,
    dto: AcceptInvitationDto,
    caller: Principal | undefined,
    context: AuditContext,
  ): Promise<AcceptedInvitationDto> {
    const personId = caller ? requirePerson(caller) : null;
    if (!caller) {
      const missing = (['password', 'fullName'] as const).filter((f) => dto[f] === undefined);
      if (missing.length > 0) {
        throw new ValidationFailedError(
          missing.map((f) => ({
            pointer: `/${f}`,
            detail: `${f} is required to accept without signing in`,
          })),
        );
      }
    }
    // Hash before the transaction: argon2 is slow and must not hold the invitation's lock.
    const passwordHash = dto.password && !caller ? await this.hasher.hash(dto.password) : null;
    const result = await this.db.runAsSystem('identity-directory', async (manager) => {
      const now = this.clock.now();
      const invitation = await this.repository.lockPendingByTokenHash(manager, sha256(token), now);
      if (!invitation) throw new NotFoundError('Invitation');
      const organizationId = invitation.organization_id;
      // An archived organization is read-only (organizations README): no new member joins it.
      const organization = await this.organizations.findInTransaction(manager, organizationId);
      if (organization?.status === 'archived') {
        throw InvitationsErrors.organization_archived(organizationId);
      }
      let userId: string;
      let accountCreated = false;
      if (personId) {
        const account = await this.users.findRowById(manager, personId);
        if (!account || account.email.toLowerCase() !== invitation.email) {
          throw InvitationsErrors.invitation_email_mismatch();
        }
        userId = personId;
      } else {
        if (await this.users.findRowByEmail(manager, invitation.email)) {
          throw InvitationsErrors.account_exists();
        }
        userId = uuidv7();
        accountCreated = true;
        await this.users.insert(manager, {
          id: userId,
          email: invitation.email,
          passwordHash: passwordHash as string,
          fullName: dto.fullName ?? '',
          language: null,
          timezone: 'UTC',
        });
        await this.audit.record(manager, {
          organizationId,
          action: 'create',
          entityType: 'user',
          entityId: userId,
          changes: { email: invitation.email, fullName: dto.fullName ?? '', password: 'set' },
          context: { ...context, actorUserId: userId },
        });
      }
      if (await this.memberships.isMemberByEmail(manager, organizationId, invitation.email)) {
        throw InvitationsErrors.already_member('caller');
      }
      const membershipId = await this.memberships.addInTransaction(
        manager,
        organizationId,
        {
          userId,
          roleIds: invitation.role_ids,
          appliesToDescendants: invitation.applies_to_descendants,
          isDefault: !(await this.memberships.hasAny(manager, userId)),
        },
        { ...context, actorUserId: userId },
      );
      await this.repository.markAccepted(manager, invitation.id, userId, now);
      await this.audit.record(manager, {
        organizationId,
        action: 'accept',
        entityType: 'invitation',
        entityId: invitation.id,
        changes: { userId, membershipId, accountCreated },
        context: { ...context, actorUserId: userId },
      });
      return { organizationId, membershipId, userId, accountCreated };
    });
    await this.access.invalidate();
    return result;
  }
}
