import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** A site holding stock; its address is an owned value stored in `address_*` columns. */
@Entity({ name: 'warehouses' })
@Index('uq_warehouses_code', { synchronize: false }) // per org on lower(code)
export class WarehouseEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 32 }) code: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) addressLine1: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) addressLine2: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) addressCity: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) addressRegion: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) addressPostalCode: string | null;
  @Column({ type: 'character', length: 2, nullable: true }) addressCountryCode: string | null;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
}

/** A place inside a warehouse (zone, aisle, bin) as a tree; stock lives on locations. */
@Entity({ name: 'stock_locations' })
@Index('uq_stock_locations_code', { synchronize: false }) // per warehouse on lower(code)
@Index('ix_stock_locations_parent_id', ['parentId'])
export class StockLocationEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) warehouseId: string;
  @Column({ type: 'uuid', nullable: true }) parentId: string | null;
  @Column({ type: 'varchar', length: 32 }) code: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'text' }) path: string;
  @Column({ type: 'integer' }) depth: number;
  @Column({ type: 'boolean', default: false }) allowNegative: boolean;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
}
