import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

/**
 * An invitation to join one organization with roles: pending until accepted, revoked or expired.
 * Only the SHA-256 of its single-use token is stored; the token exists only in the mailed link.
 */
@Entity({ name: 'invitations' })
@Index('uq_invitations_token_hash', ['tokenHash'], { unique: true })
@Index('ix_invitations_organization_id', ['organizationId', 'id'])
export class InvitationEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ type: 'uuid', array: true }) roleIds: string[];
  @Column({ type: 'boolean', default: false }) appliesToDescendants: boolean;
  @Column({ type: 'varchar', length: 64 }) tokenHash: string;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'uuid', nullable: true }) invitedBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) acceptedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) acceptedBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}
