import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

export type OrganizationStatus = 'active' | 'archived';

/**
 * A node of the tenant tree. `path` is the materialised list of ids from the root
 * (`/<root>/<child>/`), so descendants are one indexed prefix scan and ancestors a split.
 */
@Entity({ name: 'organizations' })
@Index('uq_organizations_code', { synchronize: false }) // unique on lower(code): in the migration
@Index('ix_organizations_parent_id', ['parentId'])
@Index('ix_organizations_path', { synchronize: false }) // text_pattern_ops: in the migration
@Check('ck_organizations_status', `"status" IN ('active', 'archived')`)
export class OrganizationEntity extends BaseEntity {
  @Column({ type: 'text' }) code: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) typeCode: string;
  @Column({ type: 'uuid', nullable: true }) parentId: string | null;
  @Column({ type: 'text' }) path: string;
  @Column({ type: 'integer', default: 0 }) depth: number;
  @Column({ type: 'text', default: 'active' }) status: OrganizationStatus;
  @Column({ type: 'character', length: 3, default: 'USD' }) currencyCode: string;
  @Column({ type: 'text', default: 'UTC' }) timezone: string;
  @Column({ type: 'text', nullable: true }) language: string | null;
  @Column({ type: 'timestamptz', nullable: true }) archivedAt: Date | null;
}
