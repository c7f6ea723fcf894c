import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Conditions, contains, orderBy, returningRows, selectPage } from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import { ListQuery, PreconditionFailedError } from '../../core/http';

/** A `currencies` row (`minor_units` null where ISO 4217 says N.A.). */
export interface CurrencyRow {
  code: string;
  name: string;
  minor_units: number | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export type CurrencySort = 'code' | 'name';
export type CurrencyFilter = 'isActive' | 'q';

const SORT_COLUMNS: Record<CurrencySort, string> = { code: 'code', name: 'name' };
const COLUMNS = 'code, name, minor_units, is_active, created_at, updated_at, version';

/**
 * The only SQL on `currencies`, a global reference table (no `organization_id`: every tenant
 * reads the same rows). Methods take the caller's transaction manager first and never open a
 * transaction.
 */
@Injectable()
export class CurrenciesRepository {
  /** One page of currencies, filtered and sorted per `query`, with the total. */
  list(
    manager: EntityManager,
    query: ListQuery<CurrencySort, CurrencyFilter>,
  ): Promise<{ rows: CurrencyRow[]; total: number }> {
    const where = new Conditions()
      .addIf(query.filters.isActive, 'is_active = ?')
      .addIf(
        query.filters.q,
        `(code ILIKE ? OR ${foldedContains('name')})`,
        contains(query.filters.q),
        query.filters.q,
      );
    where.addFilter(query.filter);
    return selectPage<CurrencyRow>(manager, {
      select: COLUMNS,
      from: 'currencies',
      where,
      order: orderBy(query.sort, SORT_COLUMNS, 'code ASC'),
      query,
    });
  }

  /** The currency with that code, or undefined. */
  async findByCode(manager: EntityManager, code: string): Promise<CurrencyRow | undefined> {
    const [row] = await manager.query<CurrencyRow[]>(
      `SELECT ${COLUMNS} FROM currencies WHERE code = $1`,
      [code],
    );
    return row;
  }

  /** Whether `code` is a currency with `is_active` set. */
  async isActive(manager: EntityManager, code: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM currencies WHERE code = $1 AND is_active',
      [code],
    );
    return rows.length > 0;
  }

  /** Inserts the `[code, name, minorUnits]` currencies not there yet; existing rows keep their edits. */
  async insertMissing(
    manager: EntityManager,
    currencies: readonly (readonly [string, string, number | null])[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO currencies (code, name, minor_units)
       SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[]) ON CONFLICT (code) DO NOTHING`,
      [currencies.map((c) => c[0]), currencies.map((c) => c[1]), currencies.map((c) => c[2])],
    );
  }

  /** Inserts a currency (a duplicate code raises 23505 → 409). */
  async insert(
    manager: EntityManager,
    row: { code: string; name: string; minorUnits: number | null; isActive: boolean },
  ): Promise<void> {
    await manager.query(
      'INSERT INTO currencies (code, name, minor_units, is_active) VALUES ($1, $2, $3, $4)',
      [row.code, row.name, row.minorUnits, row.isActive],
    );
  }

  /**
   * Guarded update at `version`: null `name`/`isActive` keep the value; `minorUnits` is written
   * only when `setMinorUnits` (so it can be set to null). `PreconditionFailedError` (412) when the
   * row changed since. (`updateVersioned` needs `organization_id`, which this table has not.)
   */
  async update(
    manager: EntityManager,
    code: string,
    version: number,
    changes: {
      name: string | null;
      setMinorUnits: boolean;
      minorUnits: number | null;
      isActive: boolean | null;
    },
  ): Promise<CurrencyRow> {
    const rows = await returningRows<CurrencyRow>(
      manager,
      `UPDATE currencies SET name = COALESCE($3, name),
          minor_units = CASE WHEN $4 THEN $5::smallint ELSE minor_units END,
          is_active = COALESCE($6, is_active), version = version + 1, updated_at = now()
        WHERE code = $1 AND version = $2 RETURNING ${COLUMNS}`,
      [code, version, changes.name, changes.setMinorUnits, changes.minorUnits, changes.isActive],
    );
    if (rows.length !== 1) throw new PreconditionFailedError();
    return rows[0];
  }

  /** Deletes the currency (a product using it keeps it by its foreign key: 23503 → 409). */
  async delete(manager: EntityManager, code: string): Promise<void> {
    await manager.query('DELETE FROM currencies WHERE code = $1', [code]);
  }
}
