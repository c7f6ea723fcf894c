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
import { BaseEntity } from '../../core/database';

export const PRODUCT_TYPES = ['goods', 'service'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];
export const PRODUCT_STATUSES = ['draft', 'active', 'discontinued', 'end_of_life'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** A catalog item of one organization; soft-deleted (`deletedAt`) so history keeps its product. */
@Entity({ name: 'products' })
@Index('uq_products_sku', { synchronize: false }) // (org, sku) WHERE deleted_at IS NULL, citext
@Index('ix_products_organization_id_name', { synchronize: false }) // partial: in the migration
@Index('ix_products_category_id', ['categoryId'])
@Index('ix_products_tags', { synchronize: false }) // GIN: in the migration
@Check('ck_products_type', `"type" IN ('goods', 'service')`)
@Check('ck_products_status', `"status" IN ('draft', 'active', 'discontinued', 'end_of_life')`)
@Check('ck_products_price_currency', `("price" IS NULL) = ("currency_code" IS NULL)`)
@Check('ck_products_price', `"price" >= 0`)
export class ProductEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'citext' }) sku: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'varchar', length: 16 }) type: ProductType;
  @Column({ type: 'varchar', length: 20, default: 'draft' }) status: ProductStatus;
  @Column({ type: 'numeric', precision: 19, scale: 4, nullable: true }) price: string | null;
  @Column({ type: 'character', length: 3, nullable: true }) currencyCode: string | null;
  @Column({ type: 'varchar', length: 16 }) uomCode: string;
  @Column({ type: 'uuid', nullable: true }) categoryId: string | null;
  @Column({ type: 'text', array: true, default: '{}' }) tags: string[];
  @Column({ type: 'jsonb', default: {} }) attributes: Record<string, unknown>;
  @Column({ type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}

/** The organization's definition of product custom attributes (one document per organization). */
@Entity({ name: 'product_attribute_schemas' })
export class ProductAttributeSchemaEntity {
  @PrimaryColumn({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'jsonb', default: [] }) attributes: unknown[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @VersionColumn({ default: 1 }) version: number;
}
