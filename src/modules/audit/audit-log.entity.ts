import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Append-only (a trigger refuses UPDATE/DELETE/TRUNCATE). Rows of one chain (`chain_key` = org id,
 * or `system`) are numbered by `seq`, and each stores the hash of the previous row: editing any
 * row breaks every hash after it, which `GET /audit-logs/verify` reports.
 */
@Entity({ name: 'audit_logs' })
@Index('uq_audit_logs_chain_seq', ['chainKey', 'seq'], { unique: true })
@Index('ix_audit_logs_organization_created', ['organizationId', 'createdAt', 'id'])
// (organization_id, entity_type, entity_id, created_at DESC, id DESC): one record's history
// newest first (timeline); defined in migration CreateProfiles.
@Index('ix_audit_logs_entity_timeline', { synchronize: false })
export class AuditLogEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid', nullable: true }) organizationId: string | null;
  @Column({ type: 'text' }) chainKey: string;
  @Column({ type: 'bigint' }) seq: string;
  @Column({ type: 'uuid', nullable: true }) actorUserId: string | null;
  @Column({ type: 'uuid', nullable: true }) actorApiKeyId: string | null;
  @Column({ type: 'text' }) action: string;
  @Column({ type: 'text' }) entityType: string;
  @Column({ type: 'text', nullable: true }) entityId: string | null;
  @Column({ type: 'jsonb', default: {} }) changes: Record<string, unknown>;
  @Column({ type: 'text', nullable: true }) requestId: string | null;
  @Column({ type: 'text', nullable: true }) ip: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'text' }) prevHash: string;
  @Column({ type: 'text' }) hash: string;
}
