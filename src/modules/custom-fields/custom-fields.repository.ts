import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Conditions, orderBy, returningRows, selectPage } from '../../core/database';
import { ListQuery, PreconditionFailedError } from '../../core/http';
import type { CustomFieldType } from './custom-field-rules';
import type { CustomFieldTarget } from './custom-field-targets';

/** A `custom_field_definitions` row as the repository reads it. */
export interface CustomFieldRow {
  id: string;
  entity_type: string;
  key: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  options: string[] | null;
  min: string | null;
  max: string | null;
  pattern: string | null;
  position: number;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** Sort keys and filters of the definitions list. */
export type CustomFieldSort = 'position' | 'key' | 'label' | 'createdAt';
export type CustomFieldFilter = 'entityType' | 'isActive' | 'type';

/** The columns of a new definition (id from the caller, uuid v7). */
export interface NewCustomField {
  id: string;
  entityType: string;
  key: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  options: string[] | null;
  min: string | null;
  max: string | null;
  pattern: string | null;
  position: number | null;
  isActive: boolean;
}

/** The full next state of a changed definition (key and entity type never change). */
export type CustomFieldChanges = Omit<NewCustomField, 'id' | 'entityType' | 'key' | 'position'> & {
  position: number;
};

const COLUMNS = `id, entity_type, key, label, type, required, options, min, max, pattern, position,
  is_active, created_at, updated_at, version`;
const SORT_COLUMNS: Record<CustomFieldSort, string> = {
  position: 'entity_type, position',
  key: 'key',
  label: 'label',
  createdAt: 'created_at',
};

/**
 * The only SQL on `custom_field_definitions`, plus the one read of registered targets' tables
 * ("does a record hold a value for this key?"). Every method takes the caller's transaction and
 * the organization id first. Never opens a transaction.
 */
@Injectable()
export class CustomFieldsRepository {
  /** One page of definitions (`entityType`, `isActive`, `type` filters). */
  page(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<CustomFieldSort, CustomFieldFilter>,
  ): Promise<{ rows: CustomFieldRow[]; total: number }> {
    const { entityType, isActive, type } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(entityType, 'entity_type = ?')
      .addIf(isActive, 'is_active = ?')
      .addIf(type, 'type = ?')
      .addFilter(query.filter);
    return selectPage<CustomFieldRow>(manager, {
      select: COLUMNS,
      from: 'custom_field_definitions',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** The definition `id` of the organization (`lock`: FOR UPDATE to the end of the transaction). */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
    lock = false,
  ): Promise<CustomFieldRow | undefined> {
    const [row] = await manager.query<CustomFieldRow[]>(
      `SELECT ${COLUMNS} FROM custom_field_definitions WHERE organization_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [orgId, id],
    );
    return row;
  }

  /**
   * Every definition of an entity type, by position then key. `shareKeys`: these keys' rows are
   * share-locked to the end of the transaction, so a definition a write uses cannot be deleted or
   * retyped before the write commits (the delete's in-use check then sees the value).
   */
  async forEntityType(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    shareKeys: string[] = [],
  ): Promise<CustomFieldRow[]> {
    if (shareKeys.length)
      await manager.query(
        `SELECT 1 FROM custom_field_definitions
          WHERE organization_id = $1 AND entity_type = $2 AND key = ANY($3::text[]) FOR SHARE`,
        [orgId, entityType, shareKeys],
      );
    return manager.query<CustomFieldRow[]>(
      `SELECT ${COLUMNS} FROM custom_field_definitions WHERE organization_id = $1 AND entity_type = $2
        ORDER BY position, key`,
      [orgId, entityType],
    );
  }

  /**
   * Serialises definition creation per (organization, entity type) to the end of the transaction
   * and answers how many definitions exist (the limit check cannot race).
   */
  async lockAndCount(manager: EntityManager, orgId: string, entityType: string): Promise<number> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 18))`, [
      `${orgId}:${entityType}`,
    ]);
    const [{ n }] = await manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM custom_field_definitions WHERE organization_id = $1 AND entity_type = $2`,
      [orgId, entityType],
    );
    return n;
  }

  /** Inserts a definition (position: given, else after the last); 23505 on a taken key. */
  async insert(manager: EntityManager, orgId: string, field: NewCustomField): Promise<void> {
    await manager.query(
      `INSERT INTO custom_field_definitions
         (id, organization_id, entity_type, key, label, type, required, options, min, max, pattern, position, is_active)
       VALUES ($1, $2::uuid, $3::varchar, $4, $5, $6, $7, $8, $9, $10, $11,
               COALESCE($12::int, (SELECT COALESCE(max(position) + 1, 0) FROM custom_field_definitions
                                    WHERE organization_id = $2::uuid AND entity_type = $3::varchar)), $13)`,
      [
        field.id,
        orgId,
        field.entityType,
        field.key,
        field.label,
        field.type,
        field.required,
        field.options === null ? null : JSON.stringify(field.options),
        field.min,
        field.max,
        field.pattern,
        field.position,
        field.isActive,
      ],
    );
  }

  /** Guarded update at `version` (bumped); 412 when the row changed or went. */
  async update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: CustomFieldChanges,
  ): Promise<void> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE custom_field_definitions SET label = $4, type = $5, required = $6, options = $7, min = $8,
          max = $9, pattern = $10, position = $11, is_active = $12, version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND version = $3 RETURNING id`,
      [
        orgId,
        id,
        version,
        changes.label,
        changes.type,
        changes.required,
        changes.options === null ? null : JSON.stringify(changes.options),
        changes.min,
        changes.max,
        changes.pattern,
        changes.position,
        changes.isActive,
      ],
    );
    if (rows.length !== 1) throw new PreconditionFailedError();
  }

  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await manager.query(
      'DELETE FROM custom_field_definitions WHERE organization_id = $1 AND id = $2',
      [orgId, id],
    );
  }

  /**
   * Whether any record of the target (soft-deleted ones included: they keep their values for
   * history) holds a value for `key`. Table and column come from the code registry, never a client.
   */
  async hasValues(
    manager: EntityManager,
    orgId: string,
    target: CustomFieldTarget,
    key: string,
  ): Promise<boolean> {
    const [row] = await manager.query<{ used: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM "${target.table}"
                       WHERE organization_id = $1 AND "${target.column}" ? $2) AS used`,
      [orgId, key],
    );
    return row.used;
  }
}
