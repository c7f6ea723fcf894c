import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** Metadata of a stored file; its bytes live in the storage backend under `storageKey`. */
@Entity({ name: 'stored_files' })
@Index('uq_stored_files_storage_key', ['storageKey'], { unique: true })
@Index('ix_stored_files_organization_id_created_at', ['organizationId', 'createdAt'])
@Check('ck_stored_files_status', `"status" IN ('pending', 'ready')`)
export class StoredFileEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'text' }) storageKey: string;
  @Column({ type: 'varchar', length: 8 }) backend: string;
  @Column({ type: 'varchar', length: 255 }) originalName: string;
  @Column({ type: 'varchar', length: 127 }) contentType: string;
  @Column({ type: 'bigint', nullable: true }) size: string | null;
  @Column({ type: 'character', length: 64, nullable: true }) checksumSha256: string | null;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: 'pending' | 'ready';
  @Column({ type: 'uuid', nullable: true }) uploadedBy: string | null;
  @Column({ type: 'uuid', nullable: true }) uploadedByApiKey: string | null;
}

/** A file attached to an entity of the same organization (product, contact, ...). */
@Entity({ name: 'attachments' })
@Index('uq_attachments_entity_id', ['fileId', 'entityType', 'entityId'], { unique: true })
@Index('ix_attachments_entity', ['organizationId', 'entityType', 'entityId'])
// (organization_id, entity_type, entity_id, created_at DESC, id DESC): newest first (timeline);
// defined in migration CreateProfiles.
@Index('ix_attachments_entity_timeline', { synchronize: false })
export class AttachmentEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) fileId: string;
  @Column({ type: 'varchar', length: 32 }) entityType: string;
  @Column({ type: 'uuid' }) entityId: string;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
