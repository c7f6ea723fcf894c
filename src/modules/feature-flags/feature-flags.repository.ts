import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';
import { PreconditionFailedError } from '../../core/http';
import type { FlagDefinition, FlagRules } from './flag-rules';

/** A `feature_flags` row. */
export interface FlagRow {
  key: string;
  description: string;
  enabled: boolean;
  rules: FlagRules;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const COLUMNS = 'key, description, enabled, rules, created_at, updated_at, version';

/**
 * The only SQL on `feature_flags`, a global table (no `organization_id`: flags are platform
 * settings). Methods take the caller's transaction manager first and never open a transaction.
 */
@Injectable()
export class FeatureFlagsRepository {
  /** What evaluation needs of every flag (`key`, `enabled`, `rules`), unordered. */
  definitions(manager: EntityManager): Promise<FlagDefinition[]> {
    return manager.query<FlagDefinition[]>('SELECT key, enabled, rules FROM feature_flags');
  }

  /** Every flag, by key. */
  list(manager: EntityManager): Promise<FlagRow[]> {
    return manager.query<FlagRow[]>(`SELECT ${COLUMNS} FROM feature_flags ORDER BY key`);
  }

  /** The flag with that key, or undefined. */
  async findByKey(manager: EntityManager, key: string): Promise<FlagRow | undefined> {
    const [row] = await manager.query<FlagRow[]>(
      `SELECT ${COLUMNS} FROM feature_flags WHERE key = $1`,
      [key],
    );
    return row;
  }

  /** Inserts a flag (a duplicate key raises 23505 → 409). */
  async insert(
    manager: EntityManager,
    row: { key: string; description: string; enabled: boolean; rules: FlagRules },
  ): Promise<void> {
    await manager.query(
      'INSERT INTO feature_flags (key, description, enabled, rules) VALUES ($1, $2, $3, $4)',
      [row.key, row.description, row.enabled, row.rules],
    );
  }

  /**
   * Guarded update at `version` (null keeps a value); `PreconditionFailedError` (412) when it
   * changed since. (`updateVersioned` needs `organization_id`, which this table has not.)
   */
  async update(
    manager: EntityManager,
    key: string,
    version: number,
    changes: { description: string | null; enabled: boolean | null; rules: FlagRules | null },
  ): Promise<FlagRow> {
    const rows = await returningRows<FlagRow>(
      manager,
      `UPDATE feature_flags SET description = COALESCE($3, description), enabled = COALESCE($4, enabled),
          rules = COALESCE($5, rules), version = version + 1, updated_at = now()
        WHERE key = $1 AND version = $2 RETURNING ${COLUMNS}`,
      [key, version, changes.description, changes.enabled, changes.rules],
    );
    if (rows.length !== 1) throw new PreconditionFailedError();
    return rows[0];
  }

  /** Deletes the flag. */
  async delete(manager: EntityManager, key: string): Promise<void> {
    await manager.query('DELETE FROM feature_flags WHERE key = $1', [key]);
  }
}
