import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { deleteTenantRow, returningRows, updateVersioned } from '../../core/database';

/** A `saved_filters` row as selected by {@link SavedFiltersRepository}. */
export interface SavedFilterRow {
  id: string;
  owner_user_id: string;
  resource: string;
  name: string;
  filter: Record<string, unknown> | null;
  sort: string | null;
  columns: string[];
  visibility: string;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** The editable fields of a saved filter. */
export interface SavedFilterFields {
  name: string;
  filter: Record<string, unknown> | null;
  sort: string | null;
  columns: string[];
  visibility: string;
  isDefault: boolean;
}

const COLUMNS = `id, owner_user_id, resource, name, filter, sort, columns, visibility, is_default,
  created_at, updated_at, version`;

/** What `userId` may see: their own filters and the organization's shared ones. */
const USABLE = `organization_id = $1 AND (owner_user_id = $2 OR visibility = 'shared')`;

/** At most this many filters per list answer (a person's views, never a report). */
export const SAVED_FILTER_LIST_LIMIT = 500;

/**
 * The only SQL on `saved_filters`. Every method takes the caller's transaction manager and the
 * organization id first and puts it in every WHERE.
 */
@Injectable()
export class SavedFiltersRepository {
  /**
   * `userId`'s own and the shared filters (of `resource` when given), by resource, own first,
   * name, id; at most {@link SAVED_FILTER_LIST_LIMIT}. `userId` null (an API key): shared only.
   */
  list(
    manager: EntityManager,
    orgId: string,
    userId: string | null,
    resource?: string,
  ): Promise<SavedFilterRow[]> {
    const values: unknown[] = [orgId, userId];
    let scope = '';
    if (resource !== undefined) {
      values.push(resource);
      scope = ' AND resource = $3';
    }
    return manager.query<SavedFilterRow[]>(
      `SELECT ${COLUMNS} FROM saved_filters WHERE ${USABLE}${scope}
        ORDER BY resource, owner_user_id IS DISTINCT FROM $2, name, id
        LIMIT ${SAVED_FILTER_LIST_LIMIT}`,
      values,
    );
  }

  /** The filter `id` if `userId` owns it or it is shared; undefined otherwise. */
  async findUsable(
    manager: EntityManager,
    orgId: string,
    userId: string | null,
    id: string,
  ): Promise<SavedFilterRow | undefined> {
    const [row] = await manager.query<SavedFilterRow[]>(
      `SELECT ${COLUMNS} FROM saved_filters WHERE ${USABLE} AND id = $3`,
      [orgId, userId, id],
    );
    return row;
  }

  /** Same as {@link findUsable}, row-locked until the transaction ends. */
  async lockUsable(
    manager: EntityManager,
    orgId: string,
    userId: string,
    id: string,
  ): Promise<SavedFilterRow | undefined> {
    const [row] = await manager.query<SavedFilterRow[]>(
      `SELECT ${COLUMNS} FROM saved_filters WHERE ${USABLE} AND id = $3 FOR UPDATE`,
      [orgId, userId, id],
    );
    return row;
  }

  /**
   * Serialises one owner's saved-filter writes in the organization until the transaction ends,
   * so "clear the previous default, set the new one" never interleaves with another of theirs.
   */
  async lockOwner(manager: EntityManager, orgId: string, userId: string): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtext('saved_filters:' || $1::text || ':' || $2::text))`,
      [orgId, userId],
    );
  }

  async insert(
    manager: EntityManager,
    orgId: string,
    row: { id: string; ownerUserId: string; resource: string } & SavedFilterFields,
  ): Promise<SavedFilterRow> {
    const [inserted] = await returningRows<SavedFilterRow>(
      manager,
      `INSERT INTO saved_filters (id, organization_id, owner_user_id, resource, name, filter, sort,
                                  columns, visibility, is_default)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::text[], $9, $10) RETURNING ${COLUMNS}`,
      [
        row.id,
        orgId,
        row.ownerUserId,
        row.resource,
        row.name,
        row.filter === null ? null : JSON.stringify(row.filter),
        row.sort,
        row.columns,
        row.visibility,
        row.isDefault,
      ],
    );
    return inserted;
  }

  /** Writes every editable field at `version` (412 when the row moved on). */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    fields: SavedFilterFields,
  ): Promise<SavedFilterRow> {
    return updateVersioned<SavedFilterRow>(manager, {
      table: 'saved_filters',
      organizationId: orgId,
      id,
      version,
      set: 'name = $4, filter = $5::jsonb, sort = $6, columns = $7::text[], visibility = $8, is_default = $9',
      values: [
        fields.name,
        fields.filter === null ? null : JSON.stringify(fields.filter),
        fields.sort,
        fields.columns,
        fields.visibility,
        fields.isDefault,
      ],
      returning: COLUMNS,
    });
  }

  /**
   * Unsets `ownerUserId`'s default for `resource` other than `exceptId`, bumping its version;
   * returns the rows it changed (0 or 1).
   */
  clearDefault(
    manager: EntityManager,
    orgId: string,
    ownerUserId: string,
    resource: string,
    exceptId: string | null,
  ): Promise<SavedFilterRow[]> {
    return returningRows<SavedFilterRow>(
      manager,
      `UPDATE saved_filters SET is_default = false, version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND owner_user_id = $2 AND resource = $3 AND is_default
          AND ($4::uuid IS NULL OR id <> $4::uuid)
        RETURNING ${COLUMNS}`,
      [orgId, ownerUserId, resource, exceptId],
    );
  }

  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'saved_filters', orgId, id);
  }
}
