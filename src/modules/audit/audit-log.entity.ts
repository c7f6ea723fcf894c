import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Append-only (a trigger refuses UPDATE/DELETE/TRUNCATE, except the one sealing UPDATE of an
 * unsealed row). Rows are inserted unsealed (`seq`, `prevHash`, `hash` null; `txid` = the writing
 * transaction, set by a trigger); the sealer then numbers the rows of one chain (`chain_key` = org
 * id, or `system`) by `seq`, each storing the hash of the previous row: editing any sealed row
 * breaks every hash after it, which `GET /audit-logs/verify` reports.
 */
@Entity({ name: 'audit_logs' })
@Check(
  'ck_audit_logs_sealed',
  `("seq" IS NULL AND "prev_hash" IS NULL AND "hash" IS NULL AND "txid" IS NOT NULL) OR ("seq" IS NOT NULL AND "prev_hash" IS NOT NULL AND "hash" IS NOT NULL)`,
)
@Index('ix_audit_logs_unsealed', ['chainKey', 'txid', 'createdAt', 'id'], {
  where: '"seq" IS NULL',
})
@Index('uq_audit_logs_chain_seq', ['chainKey', 'seq'], { unique: true })
@Index('ix_audit_logs_organization_created', ['organizationId', 'createdAt', 'id'])
// (organization_id, entity_type, entity_id, created_at DESC, id DESC): one record's history
// newest first (timeline); defined in migration CreateProfiles.
@Index('ix_audit_logs_entity_timeline', { synchronize: false })
export class AuditLogEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid', nullable: true }) organizationId: string | null;
  @Column({ type: 'text' }) chainKey: string;
  /** Position in the chain, from 1; null until sealed. */
  @Column({ type: 'bigint', nullable: true }) seq: string | null;
  @Column({ type: 'uuid', nullable: true }) actorUserId: string | null;
  @Column({ type: 'uuid', nullable: true }) actorApiKeyId: string | null;
  @Column({ type: 'text' }) action: string;
  @Column({ type: 'text' }) entityType: string;
  @Column({ type: 'text', nullable: true }) entityId: string | null;
  @Column({ type: 'jsonb', default: {} }) changes: Record<string, unknown>;
  @Column({ type: 'text', nullable: true }) requestId: string | null;
  @Column({ type: 'text', nullable: true }) ip: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'text', nullable: true }) prevHash: string | null;
  @Column({ type: 'text', nullable: true }) hash: string | null;
  /** The writing transaction (`pg_current_xact_id()`); null on rows sealed before issue 21. */
  @Column({ type: 'bigint', nullable: true }) txid: string | null;
}
