import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  deleteTenantRow,
  orderBy,
  selectPage,
  selectTenantRow,
  updateVersioned,
} from '../../core/database';
import type { ListQuery } from '../../core/http';

/** A `tax_rates` row; `rate` is the exact decimal as text, dates are `YYYY-MM-DD` text. */
export interface TaxRateRow {
  id: string;
  jurisdiction_id: string;
  tax_category_id: string;
  name: string;
  rate: string;
  valid_from: string;
  valid_to: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export type TaxRateSort = 'validFrom' | 'rate' | 'name' | 'createdAt';
export type TaxRateFilter = 'jurisdictionId' | 'taxCategoryId' | 'activeOn';

// Qualified: the select list's `trim_scale(rate)::text AS rate` would otherwise be what
// `ORDER BY rate` sorts (as text: `10` before `7.5`).
const SORT_COLUMNS: Record<TaxRateSort, string> = {
  validFrom: 'tax_rates.valid_from',
  rate: 'tax_rates.rate',
  name: 'tax_rates.name',
  createdAt: 'tax_rates.created_at',
};
/** Dates as text (`pg` would turn a `date` into a local-time Date); rates without padding zeros. */
const COLUMNS = `id, jurisdiction_id, tax_category_id, name, trim_scale(rate)::text AS rate,
  valid_from::text AS valid_from, valid_to::text AS valid_to, created_at, updated_at, version`;
const IN_FORCE = `valid_from <= ?::date AND (valid_to IS NULL OR valid_to > ?::date)`;

/**
 * The only SQL on `tax_rates`. Every method takes the caller's transaction manager (the tenant
 * transaction of `TenantDatabase.run`) and the organization id first, puts the organization id in
 * every WHERE and never opens a transaction. Overlapping ranges for one jurisdiction × category
 * are refused by the table's exclusion constraint (23P01 → 409).
 */
@Injectable()
export class TaxRatesRepository {
  /** One page of the organization's rates, filtered and sorted per `query`, with the total. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<TaxRateSort, TaxRateFilter>,
  ): Promise<{ rows: TaxRateRow[]; total: number }> {
    const { jurisdictionId, taxCategoryId, activeOn } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(jurisdictionId, 'jurisdiction_id = ?')
      .addIf(taxCategoryId, 'tax_category_id = ?')
      .addIf(activeOn, IN_FORCE, activeOn, activeOn);
    where.addFilter(query.filter);
    return selectPage<TaxRateRow>(manager, {
      select: COLUMNS,
      from: 'tax_rates',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** The rate, or undefined when the organization has none with that id. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<TaxRateRow | undefined> {
    return selectTenantRow<TaxRateRow>(manager, 'tax_rates', COLUMNS, orgId, id);
  }

  /**
   * The rate in force on `date` (`YYYY-MM-DD`) for the category in the first of
   * `jurisdictionIds` that has one, searching from the end (the ids are a path root → leaf, so the
   * most specific jurisdiction wins); undefined when none has.
   */
  async findInForce(
    manager: EntityManager,
    orgId: string,
    taxCategoryId: string,
    jurisdictionIds: string[],
    date: string,
  ): Promise<TaxRateRow | undefined> {
    const [row] = await manager.query<TaxRateRow[]>(
      `SELECT ${COLUMNS} FROM tax_rates r
        WHERE r.organization_id = $1 AND r.tax_category_id = $2 AND r.jurisdiction_id = ANY($3::uuid[])
          AND r.valid_from <= $4::date AND (r.valid_to IS NULL OR r.valid_to > $4::date)
        ORDER BY array_position($3::uuid[], r.jurisdiction_id) DESC LIMIT 1`,
      [orgId, taxCategoryId, jurisdictionIds, date],
    );
    return row;
  }

  /** Inserts a rate (an overlapping range for the pair: 23P01 → 409). */
  async insert(
    manager: EntityManager,
    orgId: string,
    row: {
      id: string;
      jurisdictionId: string;
      taxCategoryId: string;
      name: string;
      rate: string;
      validFrom: string;
      validTo: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO tax_rates (id, organization_id, jurisdiction_id, tax_category_id, name, rate, valid_from, valid_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        row.id,
        orgId,
        row.jurisdictionId,
        row.taxCategoryId,
        row.name,
        row.rate,
        row.validFrom,
        row.validTo,
      ],
    );
  }

  /**
   * Guarded update at `version` (`updateVersioned`: 412 when the row moved on): null
   * `name`/`rate`/`validFrom` keep the value; `validTo` is written only when `setValidTo` (so it
   * can be cleared).
   */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: {
      name: string | null;
      rate: string | null;
      validFrom: string | null;
      setValidTo: boolean;
      validTo: string | null;
    },
  ): Promise<TaxRateRow> {
    return updateVersioned<TaxRateRow>(manager, {
      table: 'tax_rates',
      organizationId: orgId,
      id,
      version,
      set: `name = COALESCE($4, name), rate = COALESCE($5::numeric, rate),
        valid_from = COALESCE($6::date, valid_from),
        valid_to = CASE WHEN $7 THEN $8::date ELSE valid_to END`,
      values: [changes.name, changes.rate, changes.validFrom, changes.setValidTo, changes.validTo],
      returning: COLUMNS,
    });
  }

  /** Deletes the rate. */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'tax_rates', orgId, id);
  }
}
