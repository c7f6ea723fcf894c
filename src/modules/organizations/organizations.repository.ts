import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { filterSql, returningRows } from '../../core/database';
import { ListQuery } from '../../core/http';

export interface OrganizationRow {
  id: string;
  code: string;
  name: string;
  type_code: string;
  parent_id: string | null;
  path: string;
  depth: number;
  status: 'active' | 'archived';
  currency_code: string;
  timezone: string;
  language: string | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export type OrganizationSort = 'name' | 'code' | 'createdAt' | 'depth';
export type OrganizationFilter = 'status' | 'typeCode' | 'parentId' | 'q';

const SORT_COLUMNS: Record<OrganizationSort, string> = {
  name: 'name',
  code: 'code',
  createdAt: 'created_at',
  depth: 'depth',
};
const COLUMNS = `id, code, name, type_code, parent_id, path, depth, status, currency_code, timezone, language,
                 archived_at, created_at, updated_at, version`;
const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The only SQL on `organizations`. Every read is confined to a scope: the subtree under the
 * caller's active organization (`path LIKE scope || '%'`).
 */
@Injectable()
export class OrganizationsRepository {
  async findById(manager: EntityManager, id: string): Promise<OrganizationRow | undefined> {
    const [row] = await manager.query<OrganizationRow[]>(
      `SELECT ${COLUMNS} FROM organizations WHERE id = $1`,
      [id],
    );
    return row;
  }

  async findInScope(
    manager: EntityManager,
    scopePath: string,
    id: string,
  ): Promise<OrganizationRow | undefined> {
    const row = await this.findById(manager, id);
    return row && row.path.startsWith(scopePath) ? row : undefined;
  }

  async list(
    manager: EntityManager,
    scopePath: string,
    query: ListQuery<OrganizationSort, OrganizationFilter>,
  ): Promise<{ rows: OrganizationRow[]; total: number }> {
    const conditions = [`path LIKE $1`];
    const parameters: unknown[] = [`${escapeLike(scopePath)}%`];
    const add = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replaceAll('?', `$${parameters.length}`));
    };
    const { status, typeCode, parentId, q } = query.filters;
    if (status !== undefined) add('status = ?', status);
    if (typeCode !== undefined) add('type_code = ?', typeCode);
    if (parentId !== undefined) add('parent_id = ?', parentId);
    if (q !== undefined) {
      // Names fold accents and Unicode forms (search_fold); codes compare case-insensitively.
      parameters.push(String(q), `%${escapeLike(String(q))}%`);
      conditions.push(
        `(search_fold(name) ILIKE search_contains($${parameters.length - 1}) OR code ILIKE $${parameters.length})`,
      );
    }
    if (query.filter) conditions.push(filterSql(query.filter, parameters));
    const where = conditions.join(' AND ');
    const order = [
      ...query.sort.map((s) => `${SORT_COLUMNS[s.field]} ${s.direction}`),
      'id ASC',
    ].join(', ');
    const [{ total }] = await manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM organizations WHERE ${where}`,
      parameters,
    );
    const rows = await manager.query<OrganizationRow[]>(
      `SELECT ${COLUMNS} FROM organizations WHERE ${where} ORDER BY ${order} LIMIT ${query.size} OFFSET ${query.offset}`,
      parameters,
    );
    return { rows, total };
  }

  children(manager: EntityManager, parentId: string): Promise<OrganizationRow[]> {
    return manager.query<OrganizationRow[]>(
      `SELECT ${COLUMNS} FROM organizations WHERE parent_id = $1 ORDER BY name, id`,
      [parentId],
    );
  }

  descendants(manager: EntityManager, path: string): Promise<OrganizationRow[]> {
    return manager.query<OrganizationRow[]>(
      `SELECT ${COLUMNS} FROM organizations WHERE path LIKE $1 AND path <> $2 ORDER BY depth, name, id`,
      [`${escapeLike(path)}%`, path],
    );
  }

  byIds(manager: EntityManager, ids: string[]): Promise<OrganizationRow[]> {
    return manager.query<OrganizationRow[]>(
      `SELECT ${COLUMNS} FROM organizations WHERE id = ANY($1) ORDER BY depth`,
      [ids],
    );
  }

  async insert(
    manager: EntityManager,
    row: Omit<OrganizationRow, 'status' | 'archived_at' | 'created_at' | 'updated_at' | 'version'>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO organizations (id, code, name, type_code, parent_id, path, depth, currency_code, timezone, language)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.id,
        row.code,
        row.name,
        row.type_code,
        row.parent_id,
        row.path,
        row.depth,
        row.currency_code,
        row.timezone,
        row.language,
      ],
    );
  }

  /** Optimistic update: applies only if the row is still at `version`; `undefined` otherwise. */
  async update(
    manager: EntityManager,
    id: string,
    version: number,
    changes: Partial<
      Pick<
        OrganizationRow,
        | 'code'
        | 'name'
        | 'type_code'
        | 'currency_code'
        | 'timezone'
        | 'language'
        | 'status'
        | 'archived_at'
      >
    >,
  ): Promise<OrganizationRow | undefined> {
    const entries = Object.entries(changes);
    const sets = entries.map(([column], index) => `${column} = $${index + 3}`);
    const [row] = await returningRows<OrganizationRow>(
      manager,
      `UPDATE organizations SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
        WHERE id = $1 AND version = $2 RETURNING ${COLUMNS}`,
      [id, version, ...entries.map(([, value]) => value)],
    );
    return row;
  }

  /** The node at `path` and all its descendants, locked (FOR UPDATE, by id) for the transaction. */
  /**
   * Locks (`FOR UPDATE`, in id order) the subtree under `path` and the organization `parentId`,
   * so concurrent moves cannot interleave into a cycle.
   */
  async lockForMove(manager: EntityManager, path: string, parentId: string): Promise<void> {
    await manager.query(
      `SELECT id FROM organizations WHERE path LIKE $1 OR id = $2 ORDER BY id FOR UPDATE`,
      [`${path}%`, parentId],
    );
  }

  lockSubtree(manager: EntityManager, path: string): Promise<OrganizationRow[]> {
    return manager.query<OrganizationRow[]>(
      `SELECT ${COLUMNS} FROM organizations WHERE path LIKE $1 ORDER BY id FOR UPDATE`,
      [`${escapeLike(path)}%`],
    );
  }

  /** Archives the still-active rows among `ids` (version bumped), returning them as updated. */
  archiveActive(manager: EntityManager, ids: string[]): Promise<OrganizationRow[]> {
    return returningRows<OrganizationRow>(
      manager,
      `UPDATE organizations
          SET status = 'archived', archived_at = now(), version = version + 1, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'active'
        RETURNING ${COLUMNS}`,
      [ids],
    );
  }

  /** Re-roots a subtree: every descendant's path and depth follow in one statement. */
  async moveSubtree(
    manager: EntityManager,
    node: OrganizationRow,
    newParent: OrganizationRow,
  ): Promise<void> {
    const newPath = `${newParent.path}${node.id}/`;
    await manager.query(
      `UPDATE organizations
          SET path = $2 || substr(path, length($1) + 1),
              depth = depth + $3,
              updated_at = now(),
              version = version + CASE WHEN id = $4 THEN 1 ELSE 0 END,
              parent_id = CASE WHEN id = $4 THEN $5::uuid ELSE parent_id END
        WHERE path LIKE $6`,
      [
        node.path,
        newPath,
        newParent.depth + 1 - node.depth,
        node.id,
        newParent.id,
        `${escapeLike(node.path)}%`,
      ],
    );
  }

  /**
   * Which of `ids` are archived organizations (missing ids are not). Runs in the caller's
   * transaction; used by the scheduler (issue 16) through `OrganizationsService.archivedAmong`.
   */
  async archivedAmong(manager: EntityManager, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM organizations WHERE id = ANY($1::uuid[]) AND status = 'archived'`,
      [ids],
    );
    return rows.map((row) => row.id);
  }
}
