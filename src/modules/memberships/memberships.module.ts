import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { RolesModule } from '../roles';
import { MembershipsController } from './memberships.controller';
import { MembershipsRepository } from './memberships.repository';
import { MembershipsService } from './memberships.service';
import { MemberAccounts } from './member-accounts';
import { MembershipRoleUsageRegistration } from './membership-role-usage';

/** See README.md in this folder. Exports `MemberAccounts` for users to register with. */
@Module({
  imports: [AuditModule, AccessModule, RolesModule],
  controllers: [MembershipsController],
  providers: [
    MembershipsService,
    MembershipsRepository,
    MemberAccounts,
    MembershipRoleUsageRegistration,
  ],
  exports: [MembershipsService, MemberAccounts],
})
export class MembershipsModule {}
