import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { BaseEntity } from '../../core/database';

/**
 * A tag of one organization (SPEC-P3 §2): `name` as first spelled, unique by its folded
 * `nameKey` (see `tagNameKey`); `entityTypes` null means any registered target type.
 */
@Entity({ name: 'tags' })
@Index('uq_tags_name_key', { synchronize: false }) // (org, name_key text_pattern_ops): in the migration
@Check('ck_tags_name', `length("name") BETWEEN 1 AND 50`)
@Check('ck_tags_color', `"color" ~ '^#[0-9a-f]{6}$'`)
export class TagEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 50 }) name: string;
  @Column({ type: 'varchar', length: 200 }) nameKey: string;
  @Column({ type: 'character', length: 7, nullable: true }) color: string | null;
  @Column({ type: 'text', array: true, nullable: true }) entityTypes: string[] | null;
}

/** One tag on one registered target (unique per tag and target); goes with its target. */
@Entity({ name: 'taggings' })
@Index('ix_taggings_target', ['organizationId', 'targetType', 'targetId'])
export class TaggingEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'uuid' }) tagId: string;
  @PrimaryColumn({ type: 'varchar', length: 50 }) targetType: string;
  @PrimaryColumn({ type: 'uuid' }) targetId: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
