import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const UNIT_TYPES = ['length', 'mass', 'volume', 'count', 'time'] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

/** A unit of measure; `factor` converts one of it to its type's base unit (factor 1). */
@Entity({ name: 'units_of_measure' })
@Index('uq_units_of_measure_base', { synchronize: false }) // one base unit per type: in the migration
@Check('ck_units_of_measure_type', `"type" IN ('length', 'mass', 'volume', 'count', 'time')`)
@Check('ck_units_of_measure_factor', `"factor" > 0`)
export class UnitOfMeasureEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 }) code: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 16 }) type: UnitType;
  @Column({ type: 'numeric', precision: 30, scale: 12 }) factor: string;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @VersionColumn({ default: 1 }) version: number;
}
