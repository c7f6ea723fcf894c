import { Entity, Column, Index, PrimaryColumn } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** user × organization, with roles; `appliesToDescendants` extends it down the tree. */
@Entity({ name: 'memberships' })
@Index('uq_memberships_organization_user', ['organizationId', 'userId'], { unique: true })
@Index('ix_memberships_user_id', ['userId'])
@Index('uq_memberships_default', { synchronize: false }) // partial unique: in the migration
export class MembershipEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'boolean', default: false }) appliesToDescendants: boolean;
  @Column({ type: 'boolean', default: false }) isDefault: boolean;
  /** Set: the member is suspended (organization-level deactivation; no access here until cleared). */
  @Column({ type: 'timestamptz', nullable: true }) suspendedAt: Date | null;
}

@Entity({ name: 'membership_roles' })
export class MembershipRoleEntity {
  @PrimaryColumn({ type: 'uuid' }) membershipId: string;
  @PrimaryColumn({ type: 'uuid' }) roleId: string;
}
