import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  Conditions,
  orderBy,
  returningRows,
  selectPage,
  selectTenantRow,
} from '../../core/database';
import { ListQuery } from '../../core/http';

/** A `stock_moves` row (`quantity` as trimmed decimal text). */
export interface MoveRow {
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

/** A `stock_levels` row with its location's warehouse (`quantity` as trimmed decimal text). */
export interface LevelRow {
  product_id: string;
  location_id: string;
  warehouse_id: string;
  quantity: string;
  updated_at: Date;
}

/** The columns of a new ledger entry (the id comes from the caller, uuid v7). */
export interface NewMove {
  id: string;
  productId: string;
  fromLocationId: string | null;
  toLocationId: string | null;
  /** Positive decimal string. */
  quantity: string;
  reference: string;
  note: string;
  movedAt: Date;
  actorUserId: string | null;
  actorApiKeyId: string | null;
}

/** One disagreement between a maintained level and the sum of its ledger. */
export interface LevelMismatchRow {
  product_id: string;
  location_id: string;
  level: string;
  ledger: string;
  /** How many disagreements there are in all (the rows are the first 100). */
  n: number;
}

/** Sort keys and filters of the ledger and level lists. */
export type MoveSort = 'movedAt';
export type MoveFilter = 'productId' | 'locationId' | 'reference' | 'movedFrom' | 'movedTo';
export type LevelSort = 'quantity' | 'updatedAt';
export type LevelFilter = 'productId' | 'locationId' | 'warehouseId' | 'nonZero';

const LEVEL_SORT: Record<LevelSort, string> = { quantity: 'l.quantity', updatedAt: 'l.updated_at' };
const MOVE_COLUMNS = `id, product_id, from_location_id, to_location_id, trim_scale(quantity)::text AS quantity,
  reference, note, moved_at, actor_user_id, actor_api_key_id, created_at`;
const LEVEL_COLUMNS = `l.product_id, l.location_id, s.warehouse_id, trim_scale(l.quantity)::text AS quantity,
  l.updated_at`;

/** `$1`…`$11` of a `stock_moves` INSERT, in its column order (id, organization … actor key). */
function moveValues(orgId: string, move: NewMove): unknown[] {
  return [
    move.id,
    orgId,
    move.productId,
    move.fromLocationId,
    move.toLocationId,
    move.quantity,
    move.reference,
    move.note,
    move.movedAt,
    move.actorUserId,
    move.actorApiKeyId,
  ];
}

/**
 * The only SQL on `stock_moves` (the ledger) and `stock_levels` (the balances it maintains).
 * Every method takes the caller's transaction and the organization id first and filters by it;
 * none opens a transaction. Level reads join `stock_locations` (warehouses module) read-only, for
 * the location's warehouse.
 */
@Injectable()
export class StockRepository {
  /** Appends a ledger entry and returns it as stored. */
  async insertMove(manager: EntityManager, orgId: string, move: NewMove): Promise<MoveRow> {
    const [row] = await manager.query<MoveRow[]>(
      `INSERT INTO stock_moves (id, organization_id, product_id, from_location_id, to_location_id, quantity,
                                reference, note, moved_at, actor_user_id, actor_api_key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${MOVE_COLUMNS}`,
      moveValues(orgId, move),
    );
    return row;
  }

  /**
   * A move's last level change and its ledger entry in one statement (one round trip instead of
   * two): `step` changes the level of (`move.productId`, `step.locationId`) by `move.quantity` as
   * `addToLevel` (`add`), `subtractFromLevel` (`subtract`) or `takeIfAvailable` (`take`) do, and
   * the entry is appended only when that change applied. Returns the entry as stored, or
   * `undefined` when a `take` found less than the quantity (nothing written).
   */
  async changeLevelAndInsertMove(
    manager: EntityManager,
    orgId: string,
    step: { locationId: string; change: 'add' | 'subtract' | 'take' },
    move: NewMove,
  ): Promise<MoveRow | undefined> {
    const level = {
      add: `INSERT INTO stock_levels (organization_id, product_id, location_id, quantity)
            VALUES ($2, $3, $12, $6::numeric)
            ON CONFLICT (product_id, location_id)
            DO UPDATE SET quantity = stock_levels.quantity + EXCLUDED.quantity, updated_at = now()
            RETURNING 1`,
      subtract: `INSERT INTO stock_levels (organization_id, product_id, location_id, quantity)
            VALUES ($2, $3, $12, -$6::numeric)
            ON CONFLICT (product_id, location_id)
            DO UPDATE SET quantity = stock_levels.quantity + EXCLUDED.quantity, updated_at = now()
            RETURNING 1`,
      take: `UPDATE stock_levels SET quantity = quantity - $6::numeric, updated_at = now()
              WHERE organization_id = $2 AND product_id = $3 AND location_id = $12
                AND quantity >= $6::numeric
            RETURNING 1`,
    }[step.change];
    const [row] = await manager.query<MoveRow[]>(
      `WITH level AS (${level})
       INSERT INTO stock_moves (id, organization_id, product_id, from_location_id, to_location_id, quantity,
                                reference, note, moved_at, actor_user_id, actor_api_key_id)
       SELECT $1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6::numeric, $7::varchar, $8::text,
              $9::timestamptz, $10::uuid, $11::uuid
         FROM level
       RETURNING ${MOVE_COLUMNS}`,
      [...moveValues(orgId, move), step.locationId],
    );
    return row;
  }

  /** Adds `quantity` (a decimal string) to a level, creating the level row at that quantity. */
  async addToLevel(
    manager: EntityManager,
    orgId: string,
    productId: string,
    locationId: string,
    quantity: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO stock_levels (organization_id, product_id, location_id, quantity) VALUES ($1, $2, $3, $4)
       ON CONFLICT (product_id, location_id)
       DO UPDATE SET quantity = stock_levels.quantity + EXCLUDED.quantity, updated_at = now()`,
      [orgId, productId, locationId, quantity],
    );
  }

  /** Subtracts `quantity` unconditionally (the level may go negative; created at `-quantity`). */
  async subtractFromLevel(
    manager: EntityManager,
    orgId: string,
    productId: string,
    locationId: string,
    quantity: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO stock_levels (organization_id, product_id, location_id, quantity) VALUES ($1, $2, $3, -$4::numeric)
       ON CONFLICT (product_id, location_id)
       DO UPDATE SET quantity = stock_levels.quantity + EXCLUDED.quantity, updated_at = now()`,
      [orgId, productId, locationId, quantity],
    );
  }

  /**
   * Subtracts `quantity` only where the level holds at least that much: one conditional UPDATE,
   * which PostgreSQL re-checks on the latest row version after a lock wait (check and write are
   * atomic). Returns whether it applied.
   */
  async takeIfAvailable(
    manager: EntityManager,
    orgId: string,
    productId: string,
    locationId: string,
    quantity: string,
  ): Promise<boolean> {
    const updated = await returningRows<{ quantity: string }>(
      manager,
      `UPDATE stock_levels SET quantity = quantity - $4::numeric, updated_at = now()
        WHERE organization_id = $1 AND product_id = $2 AND location_id = $3 AND quantity >= $4::numeric
        RETURNING quantity`,
      [orgId, productId, locationId, quantity],
    );
    return updated.length === 1;
  }

  /** The level's quantity (trimmed decimal text), or `undefined` when there is no level row. */
  async levelQuantity(
    manager: EntityManager,
    orgId: string,
    productId: string,
    locationId: string,
  ): Promise<string | undefined> {
    const [level] = await manager.query<{ quantity: string }[]>(
      `SELECT trim_scale(quantity)::text AS quantity FROM stock_levels
        WHERE organization_id = $1 AND product_id = $2 AND location_id = $3`,
      [orgId, productId, locationId],
    );
    return level?.quantity;
  }

  /** One page of the ledger (keyset pages on `moved_at` with `query.cursor`). */
  pageMoves(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<MoveSort, MoveFilter>,
  ): Promise<{ rows: MoveRow[]; total: number; nextCursor?: string }> {
    const { productId, locationId, reference, movedFrom, movedTo } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(productId, 'product_id = ?')
      .addIf(locationId, '(from_location_id = ? OR to_location_id = ?)', locationId, locationId)
      .addIf(reference, 'reference = ?')
      .addIf(movedFrom, 'moved_at >= ?')
      .addIf(movedTo, 'moved_at < ?');
    where.addFilter(query.filter);
    return selectPage<MoveRow>(manager, {
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
  }

  /** The ledger entry `id`, or `undefined`. */
  async findMove(manager: EntityManager, orgId: string, id: string): Promise<MoveRow | undefined> {
    return selectTenantRow<MoveRow>(manager, 'stock_moves', MOVE_COLUMNS, orgId, id);
  }

  /** One offset page of levels, each with its location's warehouse. */
  pageLevels(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<LevelSort, LevelFilter>,
  ): Promise<{ rows: LevelRow[]; total: number }> {
    const { productId, locationId, warehouseId, nonZero } = query.filters;
    const where = new Conditions()
      .add('l.organization_id = ?', orgId)
      .addIf(productId, 'l.product_id = ?')
      .addIf(locationId, 'l.location_id = ?')
      .addIf(warehouseId, 's.warehouse_id = ?');
    if (nonZero !== undefined) where.add(nonZero ? 'l.quantity <> 0' : 'l.quantity = 0');
    where.addFilter(query.filter);
    return selectPage<LevelRow>(manager, {
      select: LEVEL_COLUMNS,
      from: 'stock_levels l JOIN stock_locations s ON s.id = l.location_id',
      where,
      order: orderBy(query.sort, LEVEL_SORT, 'l.product_id ASC, l.location_id ASC'),
      query,
    });
  }

  /**
   * The first 100 levels (of the organization, or of one warehouse) that disagree with the sum of
   * their ledger, in (product, location) order; a ledger without a level row counts as level 0.
   */
  levelMismatches(
    manager: EntityManager,
    orgId: string,
    warehouseId: string | null,
  ): Promise<LevelMismatchRow[]> {
    return manager.query<LevelMismatchRow[]>(
      `WITH ledger AS (
         SELECT product_id, location_id, sum(delta) AS quantity FROM (
           SELECT product_id, to_location_id AS location_id, quantity AS delta FROM stock_moves
            WHERE organization_id = $1 AND to_location_id IS NOT NULL
           UNION ALL
           SELECT product_id, from_location_id, -quantity FROM stock_moves
            WHERE organization_id = $1 AND from_location_id IS NOT NULL) d
         GROUP BY product_id, location_id),
       compared AS (
         SELECT COALESCE(l.product_id, g.product_id) AS product_id,
                COALESCE(l.location_id, g.location_id) AS location_id,
                COALESCE(l.quantity, 0) AS level, COALESCE(g.quantity, 0) AS ledger
           FROM (SELECT * FROM stock_levels WHERE organization_id = $1) l
           FULL JOIN ledger g ON g.product_id = l.product_id AND g.location_id = l.location_id)
       SELECT c.product_id, c.location_id, trim_scale(c.level)::text AS level,
              trim_scale(c.ledger)::text AS ledger, count(*) OVER ()::int AS n
         FROM compared c JOIN stock_locations s ON s.id = c.location_id
        WHERE ($2::uuid IS NULL OR s.warehouse_id = $2) AND c.level <> c.ledger
        ORDER BY c.product_id, c.location_id LIMIT 100`,
      [orgId, warehouseId],
    );
  }

  /** How many level rows the organization (or one warehouse) has. */
  async countLevels(
    manager: EntityManager,
    orgId: string,
    warehouseId: string | null,
  ): Promise<number> {
    const [{ checked }] = await manager.query<{ checked: number }[]>(
      `SELECT count(*)::int AS checked FROM stock_levels l JOIN stock_locations s ON s.id = l.location_id
        WHERE l.organization_id = $1 AND ($2::uuid IS NULL OR s.warehouse_id = $2)`,
      [orgId, warehouseId],
    );
    return checked;
  }
}
