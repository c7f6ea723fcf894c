import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  contains,
  deleteTenantRow,
  lockTenantRow,
  moveSubtree,
  orderBy,
  selectPage,
  selectTenantRow,
  updateVersioned,
} from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import type { ListQuery } from '../../core/http';

/** A `tax_jurisdictions` row (a node of a materialised-path tree). */
export interface JurisdictionRow {
  id: string;
  code: string;
  name: string;
  country_code: string | null;
  parent_id: string | null;
  path: string;
  depth: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export type JurisdictionSort = 'code' | 'name' | 'depth' | 'createdAt';
export type JurisdictionFilter = 'countryCode' | 'parentId' | 'q';

const SORT_COLUMNS: Record<JurisdictionSort, string> = {
  code: 'lower(code)',
  name: 'name',
  depth: 'depth',
  createdAt: 'created_at',
};
const COLUMNS = `id, code, name, country_code, parent_id, path, depth, created_at, updated_at, version`;

/**
 * The only SQL on `tax_jurisdictions`. Every method takes the caller's transaction manager (the
 * tenant transaction of `TenantDatabase.run`) and the organization id first, puts the organization
 * id in every WHERE and never opens a transaction.
 */
@Injectable()
export class TaxJurisdictionsRepository {
  /** One page of the organization's jurisdictions, filtered and sorted per `query`, with the total. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<JurisdictionSort, JurisdictionFilter>,
  ): Promise<{ rows: JurisdictionRow[]; total: number }> {
    const { countryCode, parentId, q } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(countryCode, 'country_code = ?')
      .addIf(parentId, 'parent_id = ?')
      .addIf(q, `(code ILIKE ? OR ${foldedContains('name')})`, contains(q), q);
    where.addFilter(query.filter);
    return selectPage<JurisdictionRow>(manager, {
      select: COLUMNS,
      from: 'tax_jurisdictions',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** The jurisdiction, or undefined when the organization has none with that id. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<JurisdictionRow | undefined> {
    return selectTenantRow<JurisdictionRow>(manager, 'tax_jurisdictions', COLUMNS, orgId, id);
  }

  /** Row-locks the jurisdiction (`FOR UPDATE`) until the caller's transaction ends. */
  async lockForUpdate(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await lockTenantRow(manager, 'tax_jurisdictions', orgId, id);
  }

  /** Inserts a jurisdiction at the given tree placement (code unique per organization: 409). */
  async insert(
    manager: EntityManager,
    orgId: string,
    row: {
      id: string;
      code: string;
      name: string;
      countryCode: string | null;
      parentId: string | null;
      path: string;
      depth: number;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO tax_jurisdictions (id, organization_id, code, name, country_code, parent_id, path, depth)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, orgId, row.code, row.name, row.countryCode, row.parentId, row.path, row.depth],
    );
  }

  /**
   * Guarded update at `version` (`updateVersioned`: 412 when the row moved on): null `code`/`name`
   * keep the value; `countryCode` is written only when `setCountryCode` (so it can be cleared).
   */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: {
      code: string | null;
      name: string | null;
      setCountryCode: boolean;
      countryCode: string | null;
    },
  ): Promise<JurisdictionRow> {
    return updateVersioned<JurisdictionRow>(manager, {
      table: 'tax_jurisdictions',
      organizationId: orgId,
      id,
      version,
      set: `code = COALESCE($4, code), name = COALESCE($5, name),
        country_code = CASE WHEN $6 THEN $7 ELSE country_code END`,
      values: [changes.code, changes.name, changes.setCountryCode, changes.countryCode],
      returning: COLUMNS,
    });
  }

  /**
   * Moves `node` (read in `_orgId` by the caller) and its subtree under `parent` (null: a root)
   * via core's `moveSubtree`; the subtree is selected by the node's path, which starts with its
   * own unique id, and row-level security confines the UPDATE to the tenant transaction's
   * organization. 422 `tree_cycle` when `parent` is inside the subtree.
   */
  moveSubtree(
    manager: EntityManager,
    _orgId: string,
    node: JurisdictionRow,
    parent: JurisdictionRow | null,
  ): Promise<void> {
    return moveSubtree(manager, 'tax_jurisdictions', node, parent);
  }

  /** Deletes the jurisdiction (children and rates keep it by RESTRICT keys: 23503 → 409). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'tax_jurisdictions', orgId, id);
  }
}
