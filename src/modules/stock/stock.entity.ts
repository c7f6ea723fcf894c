import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** One line of the append-only stock ledger (a trigger refuses UPDATE, DELETE and TRUNCATE). */
@Entity({ name: 'stock_moves' })
@Index('ix_stock_moves_organization_id_moved_at', ['organizationId', 'movedAt', 'id'])
@Index('ix_stock_moves_product_id', ['productId'])
@Index('ix_stock_moves_from_location_id', ['fromLocationId'])
@Index('ix_stock_moves_to_location_id', ['toLocationId'])
@Check('ck_stock_moves_quantity', `"quantity" > 0`)
@Check(
  'ck_stock_moves_locations',
  `COALESCE("from_location_id", "to_location_id") IS NOT NULL AND "from_location_id" IS DISTINCT FROM "to_location_id"`,
)
export class StockMoveEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) productId: string;
  @Column({ type: 'uuid', nullable: true }) fromLocationId: string | null;
  @Column({ type: 'uuid', nullable: true }) toLocationId: string | null;
  @Column({ type: 'numeric', precision: 20, scale: 6 }) quantity: string;
  @Column({ type: 'varchar', length: 100, default: '' }) reference: string;
  @Column({ type: 'text', default: '' }) note: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) movedAt: Date;
  @Column({ type: 'uuid', nullable: true }) actorUserId: string | null;
  @Column({ type: 'uuid', nullable: true }) actorApiKeyId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/** The maintained on-hand quantity of a product at a location: one indexed row per pair. */
@Entity({ name: 'stock_levels' })
@Index('ix_stock_levels_organization_id_location_id', ['organizationId', 'locationId'])
export class StockLevelEntity {
  @PrimaryColumn({ type: 'uuid' }) productId: string;
  @PrimaryColumn({ type: 'uuid' }) locationId: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'numeric', precision: 20, scale: 6, default: 0 }) quantity: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
}
