import { Injectable, OnModuleInit } from '@nestjs/common';
import { RoleUsage } from '../roles';
import { MembershipsRepository } from './memberships.repository';

/**
 * Registers "does a membership hold this role?" (`MembershipsRepository.holdsRole`) with roles'
 * `RoleUsage`, so roles refuses to delete an assigned role (409 `role_in_use`) without SQL on
 * `membership_roles`. API side: roles are deleted only through `DELETE /roles/{id}`.
 */
@Injectable()
export class MembershipRoleUsageRegistration implements OnModuleInit {
  constructor(
    private readonly usage: RoleUsage,
    private readonly repository: MembershipsRepository,
  ) {}

  onModuleInit(): void {
    this.usage.register({
      name: 'memberships',
      uses: this.repository.holdsRole.bind(this.repository),
    });
  }
}
