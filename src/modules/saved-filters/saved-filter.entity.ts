import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

export const SAVED_FILTER_VISIBILITIES = ['private', 'shared'] as const;
export type SavedFilterVisibility = (typeof SAVED_FILTER_VISIBILITIES)[number];

/**
 * A saved filter, or view (SPEC-P3 §6): its owner's named filter (the grammar of `?filter=`, kept
 * as written), sort and columns for the list `resource`; private to the owner or shared with the
 * organization; at most one default per (owner, resource) (`uq_saved_filters_default`).
 */
@Entity({ name: 'saved_filters' })
@Index('ix_saved_filters_resource', ['organizationId', 'resource', 'ownerUserId'])
@Index('uq_saved_filters_default', { synchronize: false })
@Check('ck_saved_filters_visibility', `"visibility" IN ('private', 'shared')`)
@Check('ck_saved_filters_name', `length("name") BETWEEN 1 AND 100`)
export class SavedFilterEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) ownerUserId: string;
  @Column({ type: 'varchar', length: 50 }) resource: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'jsonb', nullable: true }) filter: unknown;
  @Column({ type: 'varchar', length: 500, nullable: true }) sort: string | null;
  @Column({ type: 'text', array: true, default: '{}' }) columns: string[];
  @Column({ type: 'varchar', length: 10, default: 'private' }) visibility: SavedFilterVisibility;
  @Column({ type: 'boolean', default: false }) isDefault: boolean;
}
