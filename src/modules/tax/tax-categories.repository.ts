import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  contains,
  deleteTenantRow,
  orderBy,
  selectPage,
  selectTenantRow,
  updateVersioned,
} from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import type { ListQuery } from '../../core/http';

/** A `tax_categories` row. */
export interface TaxCategoryRow {
  id: string;
  code: string;
  name: string;
  description: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export type TaxCategorySort = 'code' | 'name' | 'createdAt';
export type TaxCategoryFilter = 'q';

const SORT_COLUMNS: Record<TaxCategorySort, string> = {
  code: 'lower(code)',
  name: 'name',
  createdAt: 'created_at',
};
const COLUMNS = 'id, code, name, description, created_at, updated_at, version';

/**
 * The only SQL on `tax_categories`. Every method takes the caller's transaction manager (the
 * tenant transaction of `TenantDatabase.run`) and the organization id first, puts the organization
 * id in every WHERE and never opens a transaction.
 */
@Injectable()
export class TaxCategoriesRepository {
  /** One page of the organization's tax categories, filtered and sorted per `query`, with the total. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<TaxCategorySort, TaxCategoryFilter>,
  ): Promise<{ rows: TaxCategoryRow[]; total: number }> {
    const { q } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(q, `(code ILIKE ? OR ${foldedContains('name')})`, contains(q), q);
    where.addFilter(query.filter);
    return selectPage<TaxCategoryRow>(manager, {
      select: COLUMNS,
      from: 'tax_categories',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** The tax category, or undefined when the organization has none with that id. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<TaxCategoryRow | undefined> {
    return selectTenantRow<TaxCategoryRow>(manager, 'tax_categories', COLUMNS, orgId, id);
  }

  /** Inserts a tax category (code unique per organization: 23505 → 409). */
  async insert(
    manager: EntityManager,
    orgId: string,
    row: { id: string; code: string; name: string; description: string },
  ): Promise<void> {
    await manager.query(
      'INSERT INTO tax_categories (id, organization_id, code, name, description) VALUES ($1, $2, $3, $4, $5)',
      [row.id, orgId, row.code, row.name, row.description],
    );
  }

  /** Guarded update at `version` (`updateVersioned`: 412 when the row moved on); null keeps a value. */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: { code: string | null; name: string | null; description: string | null },
  ): Promise<TaxCategoryRow> {
    return updateVersioned<TaxCategoryRow>(manager, {
      table: 'tax_categories',
      organizationId: orgId,
      id,
      version,
      set: `code = COALESCE($4, code), name = COALESCE($5, name),
        description = COALESCE($6, description)`,
      values: [changes.code, changes.name, changes.description],
      returning: COLUMNS,
    });
  }

  /** Deletes the tax category (rates keep it by a RESTRICT key: 23503 → 409). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'tax_categories', orgId, id);
  }
}
