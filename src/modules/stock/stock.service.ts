import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { Conditions, iso, orderBy, returningRows, selectPage } from '../../core/database';
import { ListDefinition, ListQuery, NotFoundError, Page, toPage } from '../../core/http';
import { withTenant } from '../../core/tenancy';
import { AuditService } from '../audit';
import { ProductsService } from '../products';
import type { CreateStockMoveDto, StockLevelDto, StockMoveDto } from './dto/stock.dto';
import { StockErrors } from './stock.errors';

interface MoveRow {
  id: string;
  product_id: string;
  from_location_id: string | null;
  to_location_id: string | null;
  quantity: string;
  reference: string;
  note: string;
  moved_at: Date;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  created_at: Date;
}
interface LevelRow {
  product_id: string;
  location_id: string;
  warehouse_id: string;
  quantity: string;
  updated_at: Date;
}
interface LocationLock {
  id: string;
  allow_negative: boolean;
  is_active: boolean;
}

type MoveSort = 'movedAt';
type MoveFilter = 'productId' | 'locationId' | 'reference' | 'movedFrom' | 'movedTo';
export const STOCK_MOVE_LIST: ListDefinition<MoveSort, MoveFilter> = {
  sortable: ['movedAt'],
  defaultSort: '-movedAt',
  filters: {
    productId: 'uuid',
    locationId: 'uuid',
    reference: 'string',
    movedFrom: 'datetime',
    movedTo: 'datetime',
  },
  cursor: true,
};
type LevelSort = 'quantity' | 'updatedAt';
type LevelFilter = 'productId' | 'locationId' | 'warehouseId' | 'nonZero';
export const STOCK_LEVEL_LIST: ListDefinition<LevelSort, LevelFilter> = {
  sortable: ['quantity', 'updatedAt'],
  defaultSort: '-updatedAt',
  filters: { productId: 'uuid', locationId: 'uuid', warehouseId: 'uuid', nonZero: 'boolean' },
};
const LEVEL_SORT: Record<LevelSort, string> = { quantity: 'l.quantity', updatedAt: 'l.updated_at' };

const MOVE_COLUMNS = `id, product_id, from_location_id, to_location_id, trim_scale(quantity)::text AS quantity,
  reference, note, moved_at, actor_user_id, actor_api_key_id, created_at`;
const LEVEL_COLUMNS = `l.product_id, l.location_id, s.warehouse_id, trim_scale(l.quantity)::text AS quantity,
  l.updated_at`;

const toMoveDto = (row: MoveRow): StockMoveDto => ({
  id: row.id,
  productId: row.product_id,
  fromLocationId: row.from_location_id,
  toLocationId: row.to_location_id,
  quantity: row.quantity,
  reference: row.reference,
  note: row.note,
  movedAt: iso(row.moved_at)!,
  actorUserId: row.actor_user_id,
  actorApiKeyId: row.actor_api_key_id,
  createdAt: iso(row.created_at)!,
});

const toLevelDto = (row: LevelRow): StockLevelDto => ({
  productId: row.product_id,
  locationId: row.location_id,
  warehouseId: row.warehouse_id,
  quantity: row.quantity,
  updatedAt: iso(row.updated_at)!,
});

/**
 * The stock ledger and the levels it maintains. A move and its level changes commit together:
 * reading a level is one primary-key row, never a sum over the ledger. A decrement is one atomic
 * conditional UPDATE (`quantity >= q`) under the row lock, so concurrent moves can neither lose an
 * update nor drive a level below zero where the location does not allow it.
 */
@Injectable()
export class StockService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly products: ProductsService,
    private readonly clock: Clock,
  ) {}

  move(orgId: string, dto: CreateStockMoveDto, context: AuditContext): Promise<StockMoveDto> {
    if (!dto.fromLocationId && !dto.toLocationId) {
      throw StockErrors.location_required();
    }
    if (dto.fromLocationId && dto.fromLocationId === dto.toLocationId) {
      throw StockErrors.same_location();
    }
    return withTenant(this.dataSource, orgId, async (manager) => {
      const product = await this.products.findForStock(manager, orgId, dto.productId);
      if (product.type !== 'goods') {
        throw StockErrors.not_stockable();
      }
      const locations = await this.lockLocations(manager, orgId, dto);
      // Level rows are touched in location-id order, so two opposite transfers cannot deadlock.
      const steps = [
        ...(dto.fromLocationId ? [{ location: dto.fromLocationId, delta: 'out' as const }] : []),
        ...(dto.toLocationId ? [{ location: dto.toLocationId, delta: 'in' as const }] : []),
      ].sort((a, b) => a.location.localeCompare(b.location));
      for (const step of steps) {
        if (step.delta === 'in')
          await this.add(manager, orgId, dto.productId, step.location, dto.quantity);
        else {
          const allowNegative = locations.get(step.location)!.allow_negative;
          await this.take(
            manager,
            orgId,
            dto.productId,
            step.location,
            dto.quantity,
            allowNegative,
          );
        }
      }
      const id = uuidv7();
      const [row] = await manager.query<MoveRow[]>(
        `INSERT INTO stock_moves (id, organization_id, product_id, from_location_id, to_location_id, quantity,
                                  reference, note, moved_at, actor_user_id, actor_api_key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${MOVE_COLUMNS}`,
        [
          id,
          orgId,
          dto.productId,
          dto.fromLocationId ?? null,
          dto.toLocationId ?? null,
          dto.quantity,
          dto.reference ?? '',
          dto.note ?? '',
          dto.movedAt ? new Date(dto.movedAt) : this.clock.now(),
          context.actorUserId,
          context.actorApiKeyId,
        ],
      );
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'stock_move',
        entityId: id,
        changes: {
          productId: dto.productId,
          fromLocationId: dto.fromLocationId ?? null,
          toLocationId: dto.toLocationId ?? null,
          quantity: row.quantity,
          reference: row.reference,
        },
        context,
      });
      return toMoveDto(row);
    });
  }

  /** The move's locations, share-locked so their `allowNegative` cannot change mid-move. */
  private async lockLocations(
    manager: EntityManager,
    orgId: string,
    dto: CreateStockMoveDto,
  ): Promise<Map<string, LocationLock>> {
    const ids = [dto.fromLocationId, dto.toLocationId].filter((id): id is string => !!id);
    const rows = await manager.query<LocationLock[]>(
      `SELECT id, allow_negative, is_active FROM stock_locations
        WHERE organization_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR SHARE`,
      [orgId, ids],
    );
    const found = new Map(rows.map((r) => [r.id, r]));
    for (const [field, id] of [
      ['fromLocationId', dto.fromLocationId],
      ['toLocationId', dto.toLocationId],
    ] as const) {
      if (id && !found.get(id)?.is_active) {
        throw StockErrors.invalid_location(field);
      }
    }
    return found;
  }

  private async add(
    manager: EntityManager,
    orgId: string,
    productId: string,
    locationId: string,
    quantity: string,
  ) {
    await manager.query(
      `INSERT INTO stock_levels (organization_id, product_id, location_id, quantity) VALUES ($1, $2, $3, $4)
       ON CONFLICT (product_id, location_id)
       DO UPDATE SET quantity = stock_levels.quantity + EXCLUDED.quantity, updated_at = now()`,
      [orgId, productId, locationId, quantity],
    );
  }

  /**
   * Takes `quantity` out: one conditional UPDATE. Under concurrency PostgreSQL re-checks
   * `quantity >= $4` on the latest row version after the lock wait, so the check and the write
   * are atomic. Refused → 409 `insufficient_stock` with what is available.
   */
  private async take(
    manager: EntityManager,
    orgId: string,
    productId: string,
    locationId: string,
    quantity: string,
    allowNegative: boolean,
  ): Promise<void> {
    if (allowNegative) {
      await manager.query(
        `INSERT INTO stock_levels (organization_id, product_id, location_id, quantity) VALUES ($1, $2, $3, -$4::numeric)
         ON CONFLICT (product_id, location_id)
         DO UPDATE SET quantity = stock_levels.quantity + EXCLUDED.quantity, updated_at = now()`,
        [orgId, productId, locationId, quantity],
      );
      return;
    }
    const updated = await returningRows<{ quantity: string }>(
      manager,
      `UPDATE stock_levels SET quantity = quantity - $4::numeric, updated_at = now()
        WHERE organization_id = $1 AND product_id = $2 AND location_id = $3 AND quantity >= $4::numeric
        RETURNING quantity`,
      [orgId, productId, locationId, quantity],
    );
    if (updated.length === 1) return;
    const [level] = await manager.query<{ quantity: string }[]>(
      `SELECT trim_scale(quantity)::text AS quantity FROM stock_levels WHERE product_id = $1 AND location_id = $2`,
      [productId, locationId],
    );
    throw StockErrors.insufficient_stock(level?.quantity ?? '0', quantity, locationId);
  }

  listMoves(orgId: string, query: ListQuery<MoveSort, MoveFilter>): Promise<Page<StockMoveDto>> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const { productId, locationId, reference, movedFrom, movedTo } = query.filters;
      const where = new Conditions()
        .add('organization_id = ?', orgId)
        .addIf(productId, 'product_id = ?')
        .addIf(locationId, '(from_location_id = ? OR to_location_id = ?)', locationId, locationId)
        .addIf(reference, 'reference = ?')
        .addIf(movedFrom, 'moved_at >= ?')
        .addIf(movedTo, 'moved_at < ?');
      const { rows, total, nextCursor } = await selectPage<MoveRow>(manager, {
        select: MOVE_COLUMNS,
        from: 'stock_moves',
        where,
        order: orderBy(query.sort, { movedAt: 'moved_at' }),
        query,
        keyset: {
          column: 'moved_at',
          type: 'timestamptz',
          direction: query.sort[0]?.direction ?? 'DESC',
        },
      });
      return toPage(rows.map(toMoveDto), total, query, nextCursor);
    });
  }

  getMove(orgId: string, id: string): Promise<StockMoveDto> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const [row] = await manager.query<MoveRow[]>(
        `SELECT ${MOVE_COLUMNS} FROM stock_moves WHERE organization_id = $1 AND id = $2`,
        [orgId, id],
      );
      if (!row) throw new NotFoundError('Stock move');
      return toMoveDto(row);
    });
  }

  listLevels(
    orgId: string,
    query: ListQuery<LevelSort, LevelFilter>,
  ): Promise<Page<StockLevelDto>> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const { productId, locationId, warehouseId, nonZero } = query.filters;
      const where = new Conditions()
        .add('l.organization_id = ?', orgId)
        .addIf(productId, 'l.product_id = ?')
        .addIf(locationId, 'l.location_id = ?')
        .addIf(warehouseId, 's.warehouse_id = ?');
      if (nonZero !== undefined) where.add(nonZero ? 'l.quantity <> 0' : 'l.quantity = 0');
      const { rows, total } = await selectPage<LevelRow>(manager, {
        select: LEVEL_COLUMNS,
        from: 'stock_levels l JOIN stock_locations s ON s.id = l.location_id',
        where,
        order: orderBy(query.sort, LEVEL_SORT, 'l.product_id ASC, l.location_id ASC'),
        query,
      });
      return toPage(rows.map(toLevelDto), total, query);
    });
  }
}
