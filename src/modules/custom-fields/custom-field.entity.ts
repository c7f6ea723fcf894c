import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';
import type { CustomFieldType } from './custom-field-rules';

/**
 * One custom field of an entity type (`product`, `contact`, … as registered in
 * `CustomFieldTargets`) in one organization (SPEC-P3 §0). `key` is a slug unique per
 * (organization, entity type) and never changes; the values live in the records' `custom_fields`
 * JSONB. Bounds are text: a length (text), a decimal (number, decimal), a date or a UTC date-time.
 */
@Entity({ name: 'custom_field_definitions' })
@Index('uq_custom_field_definitions_key', ['organizationId', 'entityType', 'key'], { unique: true })
@Check(
  'ck_custom_field_definitions_type',
  `"type" IN ('text', 'number', 'decimal', 'boolean', 'date', 'datetime', 'select', 'multiselect', 'user', 'url')`,
)
@Check('ck_custom_field_definitions_key', `"key" ~ '^[a-z][a-z0-9_]{0,39}$'`)
export class CustomFieldDefinitionEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 50 }) entityType: string;
  @Column({ type: 'varchar', length: 40 }) key: string;
  @Column({ type: 'varchar', length: 100 }) label: string;
  @Column({ type: 'varchar', length: 16 }) type: CustomFieldType;
  @Column({ type: 'boolean', default: false }) required: boolean;
  @Column({ type: 'jsonb', nullable: true }) options: string[] | null;
  @Column({ type: 'varchar', length: 40, nullable: true }) min: string | null;
  @Column({ type: 'varchar', length: 40, nullable: true }) max: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) pattern: string | null;
  @Column({ type: 'integer', default: 0 }) position: number;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
}
