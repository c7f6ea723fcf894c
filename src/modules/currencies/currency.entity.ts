import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/** ISO 4217 currency; global reference data keyed by its code. */
@Entity({ name: 'currencies' })
@Check('ck_currencies_code', `"code" ~ '^[A-Z]{3}$'`)
@Check('ck_currencies_minor_units', `"minor_units" BETWEEN 0 AND 4`)
export class CurrencyEntity {
  @PrimaryColumn({ type: 'character', length: 3 }) code: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  /** Decimal places of the minor unit; null where ISO 4217 says N.A. (metals, units of account). */
  @Column({ type: 'smallint', nullable: true }) minorUnits: number | null;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @VersionColumn({ default: 1 }) version: number;
}
