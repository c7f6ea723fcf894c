import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import {
  childPlacement,
  Conditions,
  contains,
  iso,
  moveSubtree,
  orderBy,
  selectPage,
} from '../../core/database';
import {
  assertVersionMatches,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type {
  CreateStockLocationDto,
  MoveStockLocationDto,
  StockLocationDto,
  UpdateStockLocationDto,
} from './dto/warehouse.dto';
import { WarehousesService } from './warehouses.service';
import { foldedContains } from '../../core/database/folded-text';
import { WarehousesErrors } from './warehouses.errors';

export interface StockLocationRow {
  id: string;
  warehouse_id: string;
  parent_id: string | null;
  code: string;
  name: string;
  path: string;
  depth: number;
  allow_negative: boolean;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'code' | 'name' | 'depth' | 'createdAt';
type Filter = 'warehouseId' | 'parentId' | 'isActive' | 'q';
export const STOCK_LOCATION_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['code', 'name', 'depth', 'createdAt'],
  defaultSort: 'depth,code',
  filters: { warehouseId: 'uuid', parentId: 'uuid', isActive: 'boolean', q: 'string' },
};
const SORT_COLUMNS: Record<Sort, string> = {
  code: 'lower(code)',
  name: 'name',
  depth: 'depth',
  createdAt: 'created_at',
};
const COLUMNS = `id, warehouse_id, parent_id, code, name, path, depth, allow_negative, is_active,
  created_at, updated_at, version`;

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
@Injectable()
export class StockLocationsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly warehouses: WarehousesService,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<StockLocationDto>> {
    return this.db.run(orgId, async (manager) => {
      const { warehouseId, parentId, isActive, q } = query.filters;
      const where = new Conditions()
        .add('organization_id = ?', orgId)
        .addIf(warehouseId, 'warehouse_id = ?')
        .addIf(parentId, 'parent_id = ?')
        .addIf(isActive, 'is_active = ?')
        .addIf(q, `(code ILIKE ? OR ${foldedContains('name')})`, contains(q), q);
      const { rows, total } = await selectPage<StockLocationRow>(manager, {
        select: COLUMNS,
        from: 'stock_locations',
        where,
        order: orderBy(query.sort, SORT_COLUMNS),
        query,
      });
      return toPage(rows.map(toDto), total, query);
    });
  }

  async findRow(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<StockLocationRow | undefined> {
    const [row] = await manager.query<StockLocationRow[]>(
      `SELECT ${COLUMNS} FROM stock_locations WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    return row;
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<StockLocationRow> {
    const row = await this.findRow(manager, orgId, id);
    if (!row) throw new NotFoundError('Stock location');
    return row;
  }

  get(orgId: string, id: string): Promise<StockLocationDto> {
    return this.db.run(orgId, async (m) => toDto(await this.find(m, orgId, id)));
  }

  private async parentFor(manager: EntityManager, orgId: string, id: string, warehouseId: string) {
    const parent = await this.findRow(manager, orgId, id);
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
      await this.warehouses.find(manager, orgId, dto.warehouseId).catch(() => {
        throw WarehousesErrors.invalid_warehouse();
      });
      const parent = dto.parentId
        ? await this.parentFor(manager, orgId, dto.parentId, dto.warehouseId)
        : null;
      const id = uuidv7();
      const { path, depth } = childPlacement(id, parent);
      await manager.query(
        `INSERT INTO stock_locations (id, organization_id, warehouse_id, parent_id, code, name, path, depth,
                                      allow_negative, is_active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          orgId,
          dto.warehouseId,
          parent?.id ?? null,
          dto.code,
          dto.name,
          path,
          depth,
          dto.allowNegative ?? false,
          dto.isActive ?? true,
        ],
      );
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
      const before = toDto(await this.find(manager, orgId, id));
      assertVersionMatches(expectedVersion, before.version);
      return this.audit.recordVersionedUpdate(
        manager,
        before,
        ['code', 'name', 'allowNegative', 'isActive'],
        {
          table: 'stock_locations',
          set: `code = COALESCE($4, code), name = COALESCE($5, name),
            allow_negative = COALESCE($6, allow_negative),
            is_active = COALESCE($7, is_active)`,
          values: [
            dto.code ?? null,
            dto.name ?? null,
            dto.allowNegative ?? null,
            dto.isActive ?? null,
          ],
          returning: COLUMNS,
          toDto,
        },
        { organizationId: orgId, entityType: 'stock_location', entityId: id, context },
      );
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
      await manager.query('SELECT 1 FROM stock_locations WHERE id = $1 FOR UPDATE', [id]);
      const node = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, node.version);
      const parent = dto.parentId
        ? await this.parentFor(manager, orgId, dto.parentId, node.warehouse_id)
        : null;
      await moveSubtree(manager, 'stock_locations', node, parent);
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
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      // Children, stock levels and ledger lines keep it by RESTRICT foreign keys (409).
      await manager.query('DELETE FROM stock_locations WHERE organization_id = $1 AND id = $2', [
        orgId,
        id,
      ]);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'stock_location',
        entityId: id,
        changes: { warehouseId: before.warehouse_id, code: before.code },
        context,
      });
    });
  }
}
