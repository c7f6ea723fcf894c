import { Injectable } from '@nestjs/common';
import type { AuditContext } from '../../core/auth';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { InvitationsService } from '../invitations';
import { OrganizationsService } from '../organizations';
import type { CreateTenantDto, TenantDto } from './dto/tenant.dto';

/**
 * Tenant provisioning (issue 13): a superuser creates a new root organization and invites its
 * first owner (system role Owner, applying to every organization below), in one transaction —
 * the invitation mail is queued in it, so there is never a tenant without its invitation.
 */
@Injectable()
export class TenantsService {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly invitations: InvitationsService,
    private readonly access: AccessService,
    private readonly db: TenantDatabase,
  ) {}

  async provision(dto: CreateTenantDto, context: AuditContext): Promise<TenantDto> {
    const ownerRoleId = await this.access.systemRoleId('Owner');
    const { organization, invitationId } = await this.db.runAsSystem(
      'tenant-provisioning',
      async (manager) => {
        const created = await this.organizations.createRootInTransaction(
          manager,
          {
            code: dto.code,
            name: dto.name,
            typeCode: dto.typeCode ?? 'company',
            currencyCode: dto.currencyCode,
            timezone: dto.timezone,
            language: dto.language,
          },
          context,
        );
        const id = await this.invitations.createInTransaction(
          manager,
          created.id,
          {
            email: dto.owner.email,
            roleIds: [ownerRoleId],
            appliesToDescendants: true,
            inviteeName: dto.owner.fullName,
          },
          context,
        );
        return { organization: created, invitationId: id };
      },
    );
    return {
      organization,
      invitation: await this.invitations.get(organization.id, invitationId),
    };
  }
}
