import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** `document`: document types (modules/documents, migration CreateDocuments). */
export const CATEGORY_TYPES = ['product', 'contact', 'document'] as const;
export type CategoryType = (typeof CATEGORY_TYPES)[number];

/** A node of a typed category tree of one organization (`path` as for organizations). */
@Entity({ name: 'categories' })
@Index('uq_categories_name', { synchronize: false }) // per org, type and parent on lower(name)
@Index('ix_categories_path', { synchronize: false }) // text_pattern_ops: in the migration
@Index('ix_categories_parent_id', ['parentId'])
@Check('ck_categories_type', `"type" IN ('product', 'contact', 'document')`)
export class CategoryEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 16 }) type: CategoryType;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'uuid', nullable: true }) parentId: string | null;
  @Column({ type: 'text' }) path: string;
  @Column({ type: 'integer' }) depth: number;
}
