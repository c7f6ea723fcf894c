import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Conditions, contains, orderBy, returningRows, selectPage } from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import { ListQuery, PreconditionFailedError } from '../../core/http';
import type { UnitType } from './unit-of-measure.entity';

/** A `units_of_measure` row; `factor` is the exact decimal as text (trailing zeros trimmed). */
export interface UnitRow {
  code: string;
  name: string;
  type: UnitType;
  factor: string;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export type UnitSort = 'code' | 'name' | 'type';
export type UnitFilter = 'type' | 'isActive' | 'q';

const SORT_COLUMNS: Record<UnitSort, string> = { code: 'code', name: 'name', type: 'type' };
const COLUMNS = `code, name, type, trim_scale(factor)::text AS factor, is_active, created_at, updated_at, version`;

/**
 * The only SQL on `units_of_measure`, a global reference table (no `organization_id`: every
 * tenant reads the same rows). Methods take the caller's transaction manager first and never open
 * a transaction.
 */
@Injectable()
export class UnitsOfMeasureRepository {
  /** One page of units, filtered and sorted per `query`, with the total. */
  list(
    manager: EntityManager,
    query: ListQuery<UnitSort, UnitFilter>,
  ): Promise<{ rows: UnitRow[]; total: number }> {
    const { type, isActive, q } = query.filters;
    const where = new Conditions()
      .addIf(type, 'type = ?')
      .addIf(isActive, 'is_active = ?')
      .addIf(q, `(code ILIKE ? OR ${foldedContains('name')})`, contains(q), q);
    where.addFilter(query.filter);
    return selectPage<UnitRow>(manager, {
      select: COLUMNS,
      from: 'units_of_measure',
      where,
      order: orderBy(query.sort, SORT_COLUMNS, 'code ASC'),
      query,
    });
  }

  /** The unit with that code, or undefined. */
  async findByCode(manager: EntityManager, code: string): Promise<UnitRow | undefined> {
    const [row] = await manager.query<UnitRow[]>(
      `SELECT ${COLUMNS} FROM units_of_measure WHERE code = $1`,
      [code],
    );
    return row;
  }

  /** Whether `code` is a unit with `is_active` set. */
  async isActive(manager: EntityManager, code: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM units_of_measure WHERE code = $1 AND is_active',
      [code],
    );
    return rows.length > 0;
  }

  /**
   * `quantity × fromFactor ÷ toFactor` in PostgreSQL `numeric` (exact decimals, no binary floats),
   * rounded to `scale` places with trailing zeros trimmed, as text.
   */
  async convert(
    manager: EntityManager,
    quantity: string,
    fromFactor: string,
    toFactor: string,
    scale: number,
  ): Promise<string> {
    const [{ result }] = await manager.query<{ result: string }[]>(
      `SELECT trim_scale(round($1::numeric * $2::numeric / $3::numeric, $4::int))::text AS result`,
      [quantity, fromFactor, toFactor, scale],
    );
    return result;
  }

  /** Inserts the `[code, name, type, factor]` units not there yet; existing rows keep their edits. */
  async insertMissing(
    manager: EntityManager,
    units: readonly (readonly [string, string, UnitType, string])[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO units_of_measure (code, name, type, factor)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[]) ON CONFLICT (code) DO NOTHING`,
      [0, 1, 2, 3].map((i) => units.map((u) => u[i])),
    );
  }

  /** Inserts a unit (a duplicate code raises 23505 → 409). */
  async insert(
    manager: EntityManager,
    row: { code: string; name: string; type: UnitType; factor: string; isActive: boolean },
  ): Promise<void> {
    await manager.query(
      'INSERT INTO units_of_measure (code, name, type, factor, is_active) VALUES ($1, $2, $3, $4, $5)',
      [row.code, row.name, row.type, row.factor, row.isActive],
    );
  }

  /**
   * Guarded update of the unit at `version` (null keeps a value); `PreconditionFailedError` (412)
   * when it changed since. (`updateVersioned` needs `organization_id`, which this table has not.)
   */
  async update(
    manager: EntityManager,
    code: string,
    version: number,
    changes: { name: string | null; factor: string | null; isActive: boolean | null },
  ): Promise<UnitRow> {
    const rows = await returningRows<UnitRow>(
      manager,
      `UPDATE units_of_measure SET name = COALESCE($3, name), factor = COALESCE($4::numeric, factor),
          is_active = COALESCE($5, is_active), version = version + 1, updated_at = now()
        WHERE code = $1 AND version = $2 RETURNING ${COLUMNS}`,
      [code, version, changes.name, changes.factor, changes.isActive],
    );
    if (rows.length !== 1) throw new PreconditionFailedError();
    return rows[0];
  }

  /** Deletes the unit (a product using it keeps it by its foreign key: 23503 → 409). */
  async delete(manager: EntityManager, code: string): Promise<void> {
    await manager.query('DELETE FROM units_of_measure WHERE code = $1', [code]);
  }
}
