import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** One person following one target (SPEC-P3 §3), with why they follow it. */
@Entity({ name: 'followers' })
@Index('ix_followers_user_id', ['organizationId', 'userId'])
@Check('ck_followers_reason', `"reason" IN ('manual', 'author', 'mentioned', 'assigned')`)
export class FollowerEntity {
  @PrimaryColumn({ type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) entityType: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) entityId: string;
  @PrimaryColumn({ type: 'uuid' }) userId: string;
  @Column({ type: 'varchar', length: 16 }) reason: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
