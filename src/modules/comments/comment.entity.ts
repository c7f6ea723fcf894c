import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { BaseEntity } from '../../core/database';

/**
 * A comment on a registered target (SPEC-P3 §3): markdown `body` stored raw (never rendered by the
 * server); one level of replies (`parentId` is always a root); a tombstone keeps the row with a
 * null body and `deletedAt` while replies hang off it.
 */
@Entity({ name: 'comments' })
@Index('ix_comments_target', ['organizationId', 'entityType', 'entityId', 'id'])
@Index('ix_comments_parent_id', ['parentId'])
@Check('ck_comments_status', `"status" IN ('visible', 'hidden')`)
@Check(
  'ck_comments_body',
  `("deleted_at" IS NULL AND length("body") BETWEEN 1 AND 10000) OR ("deleted_at" IS NOT NULL AND "body" IS NULL)`,
)
export class CommentEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 50 }) entityType: string;
  @Column({ type: 'uuid' }) entityId: string;
  @Column({ type: 'uuid', nullable: true }) parentId: string | null;
  @Column({ type: 'uuid' }) authorUserId: string;
  @Column({ type: 'text', nullable: true }) body: string | null;
  @Column({ type: 'uuid', array: true, default: '{}' }) mentionedUserIds: string[];
  @Column({ type: 'varchar', length: 10, default: 'visible' }) status: string;
  @Column({ type: 'timestamptz', nullable: true }) editedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}

/** A ready stored file of the same organization attached to a comment (at most 10, in order). */
@Entity({ name: 'comment_attachments' })
@Index('ix_comment_attachments_file_id', ['fileId'])
export class CommentAttachmentEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'uuid' }) commentId: string;
  @PrimaryColumn({ type: 'uuid' }) fileId: string;
  @Column({ type: 'integer' }) position: number;
}

/** One user's emoji reaction to a comment (unique per comment, user and emoji). */
@Entity({ name: 'comment_reactions' })
export class CommentReactionEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'uuid' }) commentId: string;
  @PrimaryColumn({ type: 'uuid' }) userId: string;
  @PrimaryColumn({ type: 'varchar', length: 32 }) emoji: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
