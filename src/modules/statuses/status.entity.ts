import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** The categories every status maps to, so reports stay valid across custom states (SPEC-P3 §1). */
export const STATUS_CATEGORIES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];

/**
 * One status of the registry (SPEC-P3 §1): a system row (`organizationId` null, read-only to every
 * tenant) or an organization's own. `entityType` null applies to every type. `code` is an
 * immutable slug; at most one default per (organization, entity type) (`uq_statuses_default`).
 */
@Entity({ name: 'statuses' })
@Index('uq_statuses_code', { synchronize: false })
@Index('uq_statuses_default', { synchronize: false })
@Check('ck_statuses_category', `"category" IN ('open', 'in_progress', 'done', 'cancelled')`)
@Check('ck_statuses_code', `"code" ~ '^[a-z][a-z0-9_]{0,49}$'`)
@Check('ck_statuses_color', `"color" ~ '^#[0-9a-f]{6}$'`)
@Check('ck_statuses_default_active', `NOT "is_default" OR "is_active"`)
export class StatusEntity extends BaseEntity {
  @Column({ type: 'uuid', nullable: true }) organizationId: string | null;
  @Column({ type: 'varchar', length: 50, nullable: true }) entityType: string | null;
  @Column({ type: 'varchar', length: 50 }) code: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 20 }) category: StatusCategory;
  @Column({ type: 'char', length: 7 }) color: string;
  @Column({ type: 'integer', default: 0 }) position: number;
  @Column({ type: 'boolean', default: false }) isDefault: boolean;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
}
