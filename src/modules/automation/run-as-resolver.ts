import { Injectable } from '@nestjs/common';
import type { Principal } from '../../core/auth';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { MemberDirectory } from '../memberships';
import { AutomationErrors } from './automation.errors';

/**
 * A rule's run-as user as a {@link Principal} of the organization, resolved again at each run
 * (SPEC-P3 §8 "permissions are checked again at run time"): an active account with a direct,
 * unsuspended membership (`MemberDirectory`), and the permissions `AccessService.resolve` gives
 * now (never superuser powers, even for a superuser). A user who left → 403 `run_as_user_inactive`.
 */
@Injectable()
export class RunAsResolver {
  constructor(
    private readonly db: TenantDatabase,
    private readonly members: MemberDirectory,
    private readonly access: AccessService,
  ) {}

  async resolve(orgId: string, userId: string): Promise<Principal> {
    const [member] = await this.db.read(orgId, (manager) =>
      this.members.activeMembers(manager, orgId, { userIds: [userId] }),
    );
    if (!member) throw AutomationErrors.run_as_user_inactive();
    const access = await this.access.resolve(userId, orgId, false);
    if (!access.member) throw AutomationErrors.run_as_user_inactive();
    return {
      kind: 'user',
      userId,
      apiKeyId: null,
      isSuperuser: false,
      organizationId: orgId,
      permissions: new Set(access.permissions),
      scopeKey: `user:${userId}`,
      language: member.language,
      organizationLanguage: access.language,
      organizationArchived: access.archived,
    };
  }
}
