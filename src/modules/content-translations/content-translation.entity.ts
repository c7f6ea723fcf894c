import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

/** The translations of one entity's content fields into one language (`fields`: name → text). */
@Entity({ name: 'content_translations' })
@Index(
  'uq_content_translations_language',
  ['organizationId', 'entityType', 'entityId', 'language'],
  {
    unique: true,
  },
)
@Check('ck_content_translations_fields', `jsonb_typeof("fields") = 'object'`)
export class ContentTranslationEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 32 }) entityType: string;
  @Column({ type: 'uuid' }) entityId: string;
  @Column({ type: 'varchar', length: 8 }) language: string;
  @Column({ type: 'jsonb' }) fields: Record<string, string>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
