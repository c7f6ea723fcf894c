import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { filterSql, returningRows, selectTenantRow } from '../../core/database';
import { ListQuery } from '../../core/http';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  role_id: string;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  version: number;
}

const COLUMNS = 'id, name, prefix, role_id, last_used_at, revoked_at, created_at, version';

export type ApiKeySort = 'createdAt' | 'name' | 'lastUsedAt';
export type ApiKeyFilter = 'revoked';
const SORT: Record<ApiKeySort, string> = {
  createdAt: 'created_at',
  name: 'lower(name)',
  lastUsedAt: 'last_used_at',
};

/**
 * The only SQL on api_keys (except the guard's key lookup, see README). Every method runs on the
 * caller's transaction (`manager`, from `TenantDatabase.run(organizationId, …)`: row-level
 * security) and takes the organization id right after it.
 */
@Injectable()
export class ApiKeysRepository {
  async list(
    manager: EntityManager,
    organizationId: string,
    query: ListQuery<ApiKeySort, ApiKeyFilter>,
  ): Promise<{ rows: ApiKeyRow[]; total: number }> {
    const conditions = ['organization_id = $1'];
    const parameters: unknown[] = [organizationId];
    if (query.filters.revoked !== undefined)
      conditions.push(query.filters.revoked ? 'revoked_at IS NOT NULL' : 'revoked_at IS NULL');
    if (query.filter) conditions.push(filterSql(query.filter, parameters));
    const where = conditions.join(' AND ');
    const order = [...query.sort.map((s) => `${SORT[s.field]} ${s.direction}`), 'id'].join(', ');
    const [{ total }] = await manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM api_keys WHERE ${where}`,
      parameters,
    );
    const rows = await manager.query<ApiKeyRow[]>(
      `SELECT ${COLUMNS} FROM api_keys WHERE ${where} ORDER BY ${order} LIMIT ${query.size} OFFSET ${query.offset}`,
      parameters,
    );
    return { rows, total };
  }

  async find(
    manager: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<ApiKeyRow | undefined> {
    return selectTenantRow<ApiKeyRow>(manager, 'api_keys', COLUMNS, organizationId, id);
  }

  async insert(
    manager: EntityManager,
    organizationId: string,
    row: {
      id: string;
      name: string;
      prefix: string;
      keyHash: string;
      roleId: string;
      createdByUserId: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO api_keys (id, organization_id, role_id, name, prefix, key_hash, created_by_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.id, organizationId, row.roleId, row.name, row.prefix, row.keyHash, row.createdByUserId],
    );
  }

  async revoke(
    manager: EntityManager,
    organizationId: string,
    id: string,
    at: Date,
  ): Promise<ApiKeyRow | undefined> {
    const [row] = await returningRows<ApiKeyRow>(
      manager,
      `UPDATE api_keys SET revoked_at = $3, version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [organizationId, id, at],
    );
    return row;
  }

  /**
   * Whether a live (not revoked) key holds the role (`RoleUsage`, for roles' delete check). Runs in
   * the caller's tenant transaction: row-level security limits it to the organization's keys.
   */
  async holdsRole(
    manager: EntityManager,
    organizationId: string,
    roleId: string,
  ): Promise<boolean> {
    const [row] = await manager.query<{ used: boolean }[]>(
      'SELECT EXISTS (SELECT 1 FROM api_keys WHERE role_id = $1 AND revoked_at IS NULL) AS used',
      [roleId],
    );
    return row.used;
  }
}
