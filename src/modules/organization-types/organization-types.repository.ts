import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** An `organization_types` row as the API shows it. */
export interface OrganizationTypeRow {
  code: string;
  name: string;
  description: string;
}

/**
 * The only SQL on `organization_types`, a global reference table (no `organization_id`). Methods
 * take the caller's manager first (a transaction, or the seeder's data source manager) and never
 * open a transaction.
 */
@Injectable()
export class OrganizationTypesRepository {
  /** Every type, by code. */
  list(manager: EntityManager): Promise<OrganizationTypeRow[]> {
    return manager.query<OrganizationTypeRow[]>(
      'SELECT code, name, description FROM organization_types ORDER BY code',
    );
  }

  /** Whether a type with that code exists. */
  async exists(manager: EntityManager, code: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM organization_types WHERE code = $1',
      [code],
    );
    return rows.length > 0;
  }

  /** Inserts the types whose code is not there yet; existing rows keep their edits. */
  async insertMissing(
    manager: EntityManager,
    types: readonly OrganizationTypeRow[],
  ): Promise<void> {
    for (const type of types) {
      await manager.query(
        `INSERT INTO organization_types (code, name, description) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING`,
        [type.code, type.name, type.description],
      );
    }
  }
}
