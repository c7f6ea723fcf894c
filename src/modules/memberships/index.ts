import { MembershipEntity, MembershipRoleEntity } from './membership.entity';

export { MembershipsModule } from './memberships.module';
export { MembershipsService } from './memberships.service';
export { MemberAccounts } from './member-accounts';
export { MemberDirectory, MemberDirectoryModule } from './member-directory';
export type { ActiveMember } from './member-directory';
export type { MemberAccountCheck } from './member-accounts';
export type { DirectoryMemberRow, UserMembershipRow } from './memberships.repository';
export { MembershipEntity, MembershipRoleEntity } from './membership.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const MEMBERSHIPS_ENTITIES = [MembershipEntity, MembershipRoleEntity];
