import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { childPlacement, iso } from '../../core/database';
import {
  assertVersionMatches,
  defineList,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { Statement, TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type {
  CreateStockLocationDto,
  MoveStockLocationDto,
  StockLocationDto,
  UpdateStockLocationDto,
} from './dto/warehouse.dto';
import { WarehousesService } from './warehouses.service';
import {
  StockLocationFilter,
  StockLocationRow,
  StockLocationSort,
  StockLocationsRepository,
} from './stock-locations.repository';
import { WarehousesErrors } from './warehouses.errors';

type Sort = StockLocationSort;
type Filter = StockLocationFilter;
export const STOCK_LOCATION_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'stock-locations',
  sortable: ['code', 'name', 'depth', 'createdAt'],
  defaultSort: 'depth,code',
  filters: { warehouseId: 'uuid', parentId: 'uuid', isActive: 'boolean', q: 'string' },
  fields: {
    id: { type: 'uuid', column: 'stock_locations.id' },
    warehouseId: { type: 'uuid', column: 'stock_locations.warehouse_id' },
    parentId: { type: 'uuid', column: 'stock_locations.parent_id' },
    code: { type: 'string', column: 'stock_locations.code' },
    name: { type: 'string', column: 'stock_locations.name' },
    path: { type: 'text', column: 'stock_locations.path' },
    depth: { type: 'int', column: 'stock_locations.depth' },
    allowNegative: { type: 'boolean', column: 'stock_locations.allow_negative' },
    isActive: { type: 'boolean', column: 'stock_locations.is_active' },
    createdAt: { type: 'datetime', column: 'stock_locations.created_at' },
    updatedAt: { type: 'datetime', column: 'stock_locations.updated_at' },
    'warehouse.code': {
      type: 'string',
      column: 'filter_warehouse.code',
      relation: {
        from: 'warehouses filter_warehouse',
        join: 'filter_warehouse.id = stock_locations.warehouse_id AND filter_warehouse.organization_id = stock_locations.organization_id',
      },
    },
  },
});
const toDto = (row: StockLocationRow): StockLocationDto => ({
  id: row.id,
  warehouseId: row.warehouse_id,
  parentId: row.parent_id,
  code: row.code,
  name: row.name,
  path: row.path,
  depth: row.depth,
  allowNegative: row.allow_negative,
  isActive: row.is_active,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** Stock locations: a tree inside each warehouse (zone → aisle → bin). */
/** A stock location as stock moves need it, share-locked in the mover's transaction. */
export interface LockedStockLocation {
  id: string;
  allowNegative: boolean;
  isActive: boolean;
}

@Injectable()
export class StockLocationsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly warehouses: WarehousesService,
    private readonly repository: StockLocationsRepository,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<StockLocationDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  /**
   * The statement that share-locks the locations a stock move goes through, for the stock
   * module to send in its tenant transaction with its own (`queryTogether`), so their
   * `allowNegative`/`isActive` cannot change until it commits (`FOR SHARE`, in id order so
   * concurrent movers cannot deadlock). Decodes to the organization's locations among `ids` by
   * id; ids it does not have are absent from the map, and the caller decides what that means
   * (stock: 422 `invalid_location`).
   */
  lockLocationsForStockStatement(
    orgId: string,
    ids: readonly string[],
  ): Statement<Map<string, LockedStockLocation>> {
    const statement = this.repository.lockForStockStatement(orgId, ids);
    return {
      ...statement,
      decode: (rows) =>
        new Map(
          statement
            .decode(rows)
            .map((row) => [
              row.id,
              { id: row.id, allowNegative: row.allow_negative, isActive: row.is_active },
            ]),
        ),
    };
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<StockLocationRow> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Stock location');
    return row;
  }

  get(orgId: string, id: string): Promise<StockLocationDto> {
    return this.db.read(orgId, async (m) => toDto(await this.find(m, orgId, id)));
  }

  private async parentFor(manager: EntityManager, orgId: string, id: string, warehouseId: string) {
    const parent = await this.repository.findById(manager, orgId, id);
    if (!parent || parent.warehouse_id !== warehouseId) {
      throw WarehousesErrors.invalid_parent();
    }
    return parent;
  }

  create(
    orgId: string,
    dto: CreateStockLocationDto,
    context: AuditContext,
  ): Promise<StockLocationDto> {
    return this.db.run(orgId, async (manager) => {
      if (!(await this.warehouses.exists(manager, orgId, dto.warehouseId))) {
        throw WarehousesErrors.invalid_warehouse();
      }
      const parent = dto.parentId
        ? await this.parentFor(manager, orgId, dto.parentId, dto.warehouseId)
        : null;
      const id = uuidv7();
      const { path, depth } = childPlacement(id, parent);
      await this.repository.insert(manager, orgId, {
        id,
        warehouseId: dto.warehouseId,
        parentId: parent?.id ?? null,
        code: dto.code,
        name: dto.name,
        path,
        depth,
        allowNegative: dto.allowNegative ?? false,
        isActive: dto.isActive ?? true,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'stock_location',
        entityId: id,
        changes: {
          warehouseId: dto.warehouseId,
          code: dto.code,
          allowNegative: dto.allowNegative ?? false,
        },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
    });
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateStockLocationDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<StockLocationDto> {
    return this.db.run(orgId, async (manager) => {
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: async () => toDto(await this.find(manager, orgId, id)),
        fields: ['code', 'name', 'allowNegative', 'isActive'],
        write: async (before) =>
          toDto(
            await this.repository.update(manager, orgId, id, before.version, {
              code: dto.code ?? null,
              name: dto.name ?? null,
              allowNegative: dto.allowNegative ?? null,
              isActive: dto.isActive ?? null,
            }),
          ),
        entry: { organizationId: orgId, entityType: 'stock_location', entityId: id, context },
      });
    });
  }

  move(
    orgId: string,
    id: string,
    dto: MoveStockLocationDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<StockLocationDto> {
    return this.db.run(orgId, async (manager) => {
      await this.repository.lockForUpdate(manager, orgId, id);
      const node = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, node.version);
      const parent = dto.parentId
        ? await this.parentFor(manager, orgId, dto.parentId, node.warehouse_id)
        : null;
      await this.repository.moveSubtree(manager, orgId, node, parent);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'move',
        entityType: 'stock_location',
        entityId: id,
        changes: { parentId: { from: node.parent_id, to: parent?.id ?? null } },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        // Children, stock levels and ledger lines keep it by RESTRICT foreign keys (409).
        remove: () => this.repository.delete(manager, orgId, id),
        // What hangs off it (attachments, comments, followers, …) goes with it.
        target: 'stock-location',
        entry: { organizationId: orgId, entityType: 'stock_location', entityId: id, context },
        changes: (before) => ({ warehouseId: before.warehouse_id, code: before.code }),
      });
    });
  }
}
