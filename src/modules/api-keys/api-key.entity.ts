import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** `X-API-Key` credential: shown once; stored as SHA-256 + a display prefix; scoped to org + role. */
@Entity({ name: 'api_keys' })
@Index('uq_api_keys_key_hash', ['keyHash'], { unique: true })
@Index('ix_api_keys_organization_id', ['organizationId'])
export class ApiKeyEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) roleId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) prefix: string;
  @Column({ type: 'text' }) keyHash: string;
  @Column({ type: 'uuid', nullable: true }) createdByUserId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}
