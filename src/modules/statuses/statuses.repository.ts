import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { deleteTenantRow, returningRows, updateVersioned } from '../../core/database';

/** A `statuses` row as selected by {@link StatusesRepository} (`organization_id` null: system). */
export interface StatusRow {
  id: string;
  organization_id: string | null;
  entity_type: string | null;
  code: string;
  name: string;
  category: string;
  color: string;
  position: number;
  is_default: boolean;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** The editable fields of an organization's status. */
export interface StatusFields {
  name: string;
  category: string;
  color: string;
  position: number;
  isDefault: boolean;
  isActive: boolean;
}

const COLUMNS = `id, organization_id, entity_type, code, name, category, color, position, is_default,
  is_active, created_at, updated_at, version`;

/** Rows `orgId` sees: the system rows and its own (row-level security says the same). */
const VISIBLE = '(organization_id IS NULL OR organization_id = $1)';

/**
 * The only SQL on `statuses`. Every method takes the caller's transaction manager and the
 * organization id first. Reads see the system rows (organization NULL) beside the organization's
 * own; every write names `organization_id = $1`, so it can only reach the organization's rows
 * (and row-level security refuses system rows to tenants for INSERT, UPDATE and DELETE).
 */
@Injectable()
export class StatusesRepository {
  /**
   * The statuses `orgId` sees, in list order (position, system before own, code): those applying
   * to `entityType` (its own and those for every type) when given, else all.
   */
  list(manager: EntityManager, orgId: string, entityType?: string): Promise<StatusRow[]> {
    const values: unknown[] = [orgId];
    let scope = '';
    if (entityType !== undefined) {
      values.push(entityType);
      scope = ' AND (entity_type IS NULL OR entity_type = $2)';
    }
    return manager.query<StatusRow[]>(
      `SELECT ${COLUMNS} FROM statuses WHERE ${VISIBLE}${scope}
        ORDER BY position, organization_id NULLS FIRST, code, id`,
      values,
    );
  }

  /** A system row or one of `orgId`'s, unlocked (a tenant may not lock system rows). */
  async find(manager: EntityManager, orgId: string, id: string): Promise<StatusRow | undefined> {
    const [row] = await manager.query<StatusRow[]>(
      `SELECT ${COLUMNS} FROM statuses WHERE ${VISIBLE} AND id = $2`,
      [orgId, id],
    );
    return row;
  }

  /** One of `orgId`'s own rows, row-locked until the transaction ends. */
  async lockOwn(manager: EntityManager, orgId: string, id: string): Promise<StatusRow | undefined> {
    const [row] = await manager.query<StatusRow[]>(
      `SELECT ${COLUMNS} FROM statuses WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [orgId, id],
    );
    return row;
  }

  /**
   * Serialises the organization's status writes until the transaction ends (a transaction-scoped
   * advisory lock), so "clear the previous default, set the new one" and "is the code free for
   * this entity type" never interleave with another writer of the same organization.
   */
  async lockOrganization(manager: EntityManager, orgId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('statuses:' || $1::text))`, [orgId]);
  }

  /**
   * Whether a status `orgId` sees already uses `code` for an overlapping entity type: the same
   * type, or either side applying to every type (null).
   */
  async codeTaken(
    manager: EntityManager,
    orgId: string,
    entityType: string | null,
    code: string,
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM statuses WHERE ${VISIBLE} AND code = $2
          AND (entity_type IS NULL OR $3::text IS NULL OR entity_type = $3::text) LIMIT 1`,
      [orgId, code, entityType],
    );
    return rows.length > 0;
  }

  /** 10 after the highest position among the statuses applying to `entityType` (10 when none). */
  async nextPosition(
    manager: EntityManager,
    orgId: string,
    entityType: string | null,
  ): Promise<number> {
    const [row] = await manager.query<{ next: number }[]>(
      `SELECT COALESCE(max(position), 0)::int + 10 AS next FROM statuses
        WHERE ${VISIBLE} AND ($2::text IS NULL OR entity_type IS NULL OR entity_type = $2::text)`,
      [orgId, entityType],
    );
    return Math.min(row.next, 1_000_000);
  }

  async insert(
    manager: EntityManager,
    orgId: string,
    row: { id: string; entityType: string | null; code: string } & StatusFields,
  ): Promise<StatusRow> {
    const [inserted] = await returningRows<StatusRow>(
      manager,
      `INSERT INTO statuses (id, organization_id, entity_type, code, name, category, color, position,
                             is_default, is_active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [
        row.id,
        orgId,
        row.entityType,
        row.code,
        row.name,
        row.category,
        row.color,
        row.position,
        row.isDefault,
        row.isActive,
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
    fields: StatusFields,
  ): Promise<StatusRow> {
    return updateVersioned<StatusRow>(manager, {
      table: 'statuses',
      organizationId: orgId,
      id,
      version,
      set: 'name = $4, category = $5, color = $6, position = $7, is_default = $8, is_active = $9',
      values: [
        fields.name,
        fields.category,
        fields.color,
        fields.position,
        fields.isDefault,
        fields.isActive,
      ],
      returning: COLUMNS,
    });
  }

  /**
   * Unsets the organization's current default of `entityType` (null: of the statuses for every
   * type), other than `exceptId`, bumping its version; returns the rows it changed (0 or 1).
   */
  clearDefault(
    manager: EntityManager,
    orgId: string,
    entityType: string | null,
    exceptId: string | null,
  ): Promise<StatusRow[]> {
    return returningRows<StatusRow>(
      manager,
      `UPDATE statuses SET is_default = false, version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND entity_type IS NOT DISTINCT FROM $2::text AND is_default
          AND ($3::uuid IS NULL OR id <> $3::uuid)
        RETURNING ${COLUMNS}`,
      [orgId, entityType, exceptId],
    );
  }

  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'statuses', orgId, id);
  }
}
