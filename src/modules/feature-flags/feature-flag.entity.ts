import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { FlagRules } from './flag-rules';

/** A feature flag of the installation; `rules` target users, organizations, a share, environments. */
@Entity({ name: 'feature_flags' })
@Check('ck_feature_flags_key', `"key" ~ '^[a-z][a-z0-9._-]{1,63}$'`)
export class FeatureFlagEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) key: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'boolean', default: false }) enabled: boolean;
  @Column({ type: 'jsonb', default: {} }) rules: FlagRules;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @VersionColumn({ default: 1 }) version: number;
}
