import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { iso } from '../../core/database';
import {
  defineList,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { queryTogether, TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { ProductsService } from '../products';
import { StockLocationsService } from '../warehouses';
import {
  LevelFilter,
  LevelRow,
  LevelSort,
  MoveFilter,
  MoveRow,
  MoveSort,
  StockRepository,
} from './stock.repository';
import type { CreateStockMoveDto, StockLevelDto, StockMoveDto } from './dto/stock.dto';
import { StockErrors } from './stock.errors';

export const STOCK_MOVE_LIST: ListDefinition<MoveSort, MoveFilter> = defineList({
  resource: 'stock-moves',
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
  fields: {
    id: { type: 'uuid', column: 'stock_moves.id' },
    productId: { type: 'uuid', column: 'stock_moves.product_id' },
    fromLocationId: { type: 'uuid', column: 'stock_moves.from_location_id' },
    toLocationId: { type: 'uuid', column: 'stock_moves.to_location_id' },
    quantity: { type: 'decimal', column: 'stock_moves.quantity' },
    reference: { type: 'string', column: 'stock_moves.reference' },
    note: { type: 'text', column: 'stock_moves.note' },
    actorUserId: { type: 'uuid', column: 'stock_moves.actor_user_id' },
    movedAt: { type: 'datetime', column: 'stock_moves.moved_at' },
    createdAt: { type: 'datetime', column: 'stock_moves.created_at' },
    'product.sku': {
      type: 'string',
      column: 'filter_product.sku',
      relation: {
        from: 'products filter_product',
        join: 'filter_product.id = stock_moves.product_id AND filter_product.organization_id = stock_moves.organization_id',
      },
    },
    'product.name': {
      type: 'string',
      column: 'filter_product.name',
      relation: {
        from: 'products filter_product',
        join: 'filter_product.id = stock_moves.product_id AND filter_product.organization_id = stock_moves.organization_id',
      },
    },
  },
});
export const STOCK_LEVEL_LIST: ListDefinition<LevelSort, LevelFilter> = defineList({
  resource: 'stock-levels',
  sortable: ['quantity', 'updatedAt'],
  defaultSort: '-updatedAt',
  filters: { productId: 'uuid', locationId: 'uuid', warehouseId: 'uuid', nonZero: 'boolean' },
  fields: {
    productId: { type: 'uuid', column: 'l.product_id' },
    locationId: { type: 'uuid', column: 'l.location_id' },
    warehouseId: { type: 'uuid', column: 's.warehouse_id' },
    quantity: { type: 'decimal', column: 'l.quantity' },
    updatedAt: { type: 'datetime', column: 'l.updated_at' },
    'location.code': { type: 'string', column: 's.code' },
    'product.sku': {
      type: 'string',
      column: 'filter_product.sku',
      relation: {
        from: 'products filter_product',
        join: 'filter_product.id = l.product_id AND filter_product.organization_id = l.organization_id',
      },
    },
  },
});
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
    private readonly db: TenantDatabase,
    private readonly repository: StockRepository,
    private readonly audit: AuditService,
    private readonly products: ProductsService,
    private readonly stockLocations: StockLocationsService,
    private readonly clock: Clock,
  ) {}

  move(orgId: string, dto: CreateStockMoveDto, context: AuditContext): Promise<StockMoveDto> {
    if (!dto.fromLocationId && !dto.toLocationId) {
      throw StockErrors.location_required();
    }
    if (dto.fromLocationId && dto.fromLocationId === dto.toLocationId) {
      throw StockErrors.same_location();
    }
    return this.db.run(orgId, async (manager) => {
      // The product check and the locations' share-lock in one round trip (each statement built
      // by the module that owns its table); the product's error comes first, as before.
      const ids = [dto.fromLocationId, dto.toLocationId].filter((id): id is string => !!id);
      const [product, locations] = await queryTogether(manager, [
        this.products.stockKindStatement(orgId, dto.productId),
        this.stockLocations.lockLocationsForStockStatement(orgId, ids),
      ] as const);
      if (product.type !== 'goods') {
        throw StockErrors.not_stockable();
      }
      this.assertUsableLocations(locations, dto);
      // Level rows are touched in location-id order, so two opposite transfers cannot deadlock.
      const steps = [
        ...(dto.fromLocationId ? [{ location: dto.fromLocationId, delta: 'out' as const }] : []),
        ...(dto.toLocationId ? [{ location: dto.toLocationId, delta: 'in' as const }] : []),
      ].sort((a, b) => a.location.localeCompare(b.location));
      const change = (step: (typeof steps)[number]) =>
        step.delta === 'in'
          ? ('add' as const)
          : locations.get(step.location)!.allowNegative
            ? ('subtract' as const)
            : ('take' as const);
      // A transfer's first level change on its own; the last one and the ledger entry together.
      const last = steps.pop()!;
      for (const step of steps) {
        await this.changeLevel(
          manager,
          orgId,
          dto.productId,
          step.location,
          dto.quantity,
          change(step),
        );
      }
      const id = uuidv7();
      const row = await this.repository.changeLevelAndInsertMove(
        manager,
        orgId,
        { locationId: last.location, change: change(last) },
        {
          id,
          productId: dto.productId,
          fromLocationId: dto.fromLocationId ?? null,
          toLocationId: dto.toLocationId ?? null,
          quantity: dto.quantity,
          reference: dto.reference ?? '',
          note: dto.note ?? '',
          movedAt: dto.movedAt ? new Date(dto.movedAt) : this.clock.now(),
          actorUserId: context.actorUserId,
          actorApiKeyId: context.actorApiKeyId,
        },
      );
      if (!row) return this.refuseTake(manager, orgId, dto.productId, last.location, dto.quantity);
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

  /** 422 `invalid_location` at the field naming a location the organization lacks or retired. */
  private assertUsableLocations(
    found: ReadonlyMap<string, { isActive: boolean }>,
    dto: CreateStockMoveDto,
  ): void {
    for (const [field, id] of [
      ['fromLocationId', dto.fromLocationId],
      ['toLocationId', dto.toLocationId],
    ] as const) {
      if (id && !found.get(id)?.isActive) {
        throw StockErrors.invalid_location(field);
      }
    }
  }

  /**
   * Changes one level by `quantity` (`add`, `subtract`: unconditionally, the level may go
   * negative; `take`: one conditional UPDATE, which PostgreSQL re-checks on the latest row
   * version after a lock wait, so the check and the write are atomic; refused → 409).
   */
  private async changeLevel(
    manager: EntityManager,
    orgId: string,
    productId: string,
    locationId: string,
    quantity: string,
    change: 'add' | 'subtract' | 'take',
  ): Promise<void> {
    if (change === 'add') {
      await this.repository.addToLevel(manager, orgId, productId, locationId, quantity);
    } else if (change === 'subtract') {
      await this.repository.subtractFromLevel(manager, orgId, productId, locationId, quantity);
    } else if (
      !(await this.repository.takeIfAvailable(manager, orgId, productId, locationId, quantity))
    ) {
      await this.refuseTake(manager, orgId, productId, locationId, quantity);
    }
  }

  /** A take found less than `quantity`: 409 `insufficient_stock` with what is available. */
  private async refuseTake(
    manager: EntityManager,
    orgId: string,
    productId: string,
    locationId: string,
    quantity: string,
  ): Promise<never> {
    const available = await this.repository.levelQuantity(manager, orgId, productId, locationId);
    throw StockErrors.insufficient_stock(available ?? '0', quantity, locationId);
  }

  listMoves(orgId: string, query: ListQuery<MoveSort, MoveFilter>): Promise<Page<StockMoveDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total, nextCursor } = await this.repository.pageMoves(manager, orgId, query);
      return toPage(rows.map(toMoveDto), total, query, nextCursor);
    });
  }

  getMove(orgId: string, id: string): Promise<StockMoveDto> {
    return this.db.read(orgId, async (manager) => {
      const row = await this.repository.findMove(manager, orgId, id);
      if (!row) throw new NotFoundError('Stock move');
      return toMoveDto(row);
    });
  }

  listLevels(
    orgId: string,
    query: ListQuery<LevelSort, LevelFilter>,
  ): Promise<Page<StockLevelDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.pageLevels(manager, orgId, query);
      return toPage(rows.map(toLevelDto), total, query);
    });
  }
}
