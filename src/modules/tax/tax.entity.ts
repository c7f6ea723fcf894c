import { Check, Column, Entity, Exclusion, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** Where a tax applies (country, state, city, ...), as a tree per organization. */
@Entity({ name: 'tax_jurisdictions' })
@Index('uq_tax_jurisdictions_code', { synchronize: false }) // per org on lower(code)
@Index('ix_tax_jurisdictions_parent_id', ['parentId'])
export class TaxJurisdictionEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 32 }) code: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'character', length: 2, nullable: true }) countryCode: string | null;
  @Column({ type: 'uuid', nullable: true }) parentId: string | null;
  @Column({ type: 'text' }) path: string;
  @Column({ type: 'integer' }) depth: number;
}

/** What is taxed (standard goods, food, services, ...). */
@Entity({ name: 'tax_categories' })
@Index('uq_tax_categories_code', { synchronize: false })
export class TaxCategoryEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 32 }) code: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
}

/** A rate (fraction, 0.2 = 20 %) in force over [validFrom, validTo) for a jurisdiction × category. */
@Entity({ name: 'tax_rates' })
@Index('ix_tax_rates_organization_id', ['organizationId', 'validFrom'])
@Index('ix_tax_rates_tax_category_id', ['taxCategoryId'])
@Check('ck_tax_rates_rate', `"rate" >= 0 AND "rate" <= 1`)
@Check('ck_tax_rates_validity', `"valid_to" IS NULL OR "valid_to" > "valid_from"`)
@Exclusion(
  'ex_tax_rates_validity',
  `USING gist ("jurisdiction_id" WITH =, "tax_category_id" WITH =, daterange("valid_from", "valid_to", '[)') WITH &&)`,
)
export class TaxRateEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) jurisdictionId: string;
  @Column({ type: 'uuid' }) taxCategoryId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'numeric', precision: 9, scale: 6 }) rate: string;
  @Column({ type: 'date' }) validFrom: string;
  @Column({ type: 'date', nullable: true }) validTo: string | null;
}
