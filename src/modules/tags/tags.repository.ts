import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Conditions, escapeLike, orderBy, returningRows, selectPage } from '../../core/database';
import { ListQuery, PreconditionFailedError } from '../../core/http';

/** A `tags` row as the repository reads it; `usage_count` only from `page`. */
export interface TagRow {
  id: string;
  name: string;
  name_key: string;
  color: string | null;
  entity_types: string[] | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  usage_count?: number;
}

/** Sort keys of the tag list. */
export type TagSort = 'name' | 'count' | 'createdAt';
/** Filters of the tag list. */
export type TagFilter = 'q' | 'entityType';

/** The tags of one record, as (type, id) → names. */
export interface RecordTags {
  target_type: string;
  target_id: string;
  names: string[];
}

const SORT_COLUMNS: Record<TagSort, string> = {
  name: 'tags.name_key',
  count: 'usage_count',
  createdAt: 'tags.created_at',
};
const COLUMNS =
  'tags.id, tags.name, tags.name_key, tags.color, tags.entity_types, tags.created_at, tags.updated_at, tags.version';

/**
 * The names of one record's tags, in folded-key order, as a correlated sub-select for a list's
 * SELECT: `tagNamesOf('product', 'products.id', 'products.organization_id')`. One index range
 * scan of `ix_taggings_target` per row, in the same statement (no extra round trip).
 */
export function tagNamesOf(targetType: string, idColumn: string, orgColumn: string): string {
  if (!/^[a-z][a-z-]*$/.test(targetType)) throw new Error(`tagNamesOf: bad type ${targetType}`);
  return `ARRAY(SELECT t.name::text FROM taggings g JOIN tags t ON t.id = g.tag_id
     WHERE g.organization_id = ${orgColumn} AND g.target_type = '${targetType}' AND g.target_id = ${idColumn}
     ORDER BY t.name_key)`;
}

/**
 * The SQL condition (one `?`, bound to the folded keys) that a record carries every tag of the
 * keys (`mode: 'all'`) or at least one (`'any'`); unknown keys match nothing (so `all` of an
 * unknown key finds no record).
 */
export function taggedCondition(
  targetType: string,
  idColumn: string,
  orgColumn: string,
  mode: 'all' | 'any',
  keyCount: number,
): string {
  if (!/^[a-z][a-z-]*$/.test(targetType))
    throw new Error(`taggedCondition: bad type ${targetType}`);
  const matching = `SELECT 1 FROM taggings g JOIN tags t ON t.id = g.tag_id
      WHERE g.organization_id = ${orgColumn} AND g.target_type = '${targetType}' AND g.target_id = ${idColumn}
        AND t.name_key = ANY(?::text[])`;
  return mode === 'any'
    ? `EXISTS (${matching})`
    : `(SELECT count(*) FROM (${matching}) m) = ${Number(keyCount)}`;
}

/**
 * The only SQL on `tags` and `taggings`. Every method takes the caller's transaction and the
 * organization id first and filters by it (row-level security is the second wall).
 */
@Injectable()
export class TagsRepository {
  /**
   * A page of the organization's tags with their usage counts (of `entityType` targets when
   * given, which also restricts the page to tags allowed on it). `q` matches the start of the
   * folded key or of one of its words (`LIKE` prefix on `uq_tags_name_key`).
   */
  page(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<TagSort, TagFilter>,
    filters: { qKey?: string; entityType?: string },
  ): Promise<{ rows: TagRow[]; total: number }> {
    const where = new Conditions().add('tags.organization_id = ?', orgId);
    let countFilter = '';
    if (filters.entityType !== undefined) {
      const type = where.bind(filters.entityType);
      where.add(`(tags.entity_types IS NULL OR ${type} = ANY(tags.entity_types))`);
      countFilter = ` AND g.target_type = ${type}`;
    }
    if (filters.qKey) {
      const prefix = `${escapeLike(filters.qKey)}%`;
      where.add('(tags.name_key LIKE ? OR tags.name_key LIKE ?)', prefix, `% ${prefix}`);
    }
    where.addFilter(query.filter);
    // Index-only count on pk_taggings (tag_id, target_type, …) per tag of the page.
    const usage = `(SELECT count(*)::int FROM taggings g WHERE g.tag_id = tags.id${countFilter}) AS usage_count`;
    return selectPage<TagRow>(manager, {
      select: `${COLUMNS}, ${usage}`,
      from: 'tags',
      where,
      order: orderBy(query.sort, SORT_COLUMNS, 'tags.id ASC'),
      query,
    });
  }

  /** One tag with its usage count, or `undefined`. */
  async findById(manager: EntityManager, orgId: string, id: string): Promise<TagRow | undefined> {
    const [row] = await manager.query<TagRow[]>(
      `SELECT ${COLUMNS}, (SELECT count(*)::int FROM taggings g WHERE g.tag_id = tags.id) AS usage_count
         FROM tags WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    return row;
  }

  /**
   * Locks tags for the rest of the transaction, in id order (so two lockers never deadlock):
   * `update` for rename/merge/delete, `share` for taggers. Ids of other organizations and gone
   * tags are not returned.
   */
  async lock(
    manager: EntityManager,
    orgId: string,
    ids: string[],
    mode: 'update' | 'share',
  ): Promise<TagRow[]> {
    return manager.query<TagRow[]>(
      `SELECT ${COLUMNS} FROM tags WHERE organization_id = $1 AND id = ANY($2::uuid[])
        ORDER BY id FOR ${mode === 'update' ? 'UPDATE' : 'SHARE'}`,
      [orgId, ids],
    );
  }

  /** The tags of these folded keys, share-locked in id order (see `lock`). */
  byKeys(manager: EntityManager, orgId: string, keys: string[]): Promise<TagRow[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return manager.query<TagRow[]>(
      `SELECT ${COLUMNS} FROM tags WHERE organization_id = $1 AND name_key = ANY($2::text[])
        ORDER BY id FOR SHARE`,
      [orgId, keys],
    );
  }

  /** Every tag of the organization (key, allowed types): what an import run checks names against. */
  all(manager: EntityManager, orgId: string): Promise<TagRow[]> {
    return manager.query<TagRow[]>(`SELECT ${COLUMNS} FROM tags WHERE organization_id = $1`, [
      orgId,
    ]);
  }

  /** Inserts a tag; `false` when its folded key is taken (nothing written). */
  async insert(
    manager: EntityManager,
    orgId: string,
    tag: {
      id: string;
      name: string;
      nameKey: string;
      color: string | null;
      entityTypes: string[] | null;
    },
  ): Promise<boolean> {
    const rows = await manager.query<{ id: string }[]>(
      `INSERT INTO tags (id, organization_id, name, name_key, color, entity_types)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
      [tag.id, orgId, tag.name, tag.nameKey, tag.color, tag.entityTypes],
    );
    return rows.length === 1;
  }

  /**
   * Creates the tags of these names (any entity type, no colour) unless their key exists, then
   * returns every tag of the keys, share-locked (a concurrent creator of the same name waits for
   * the other's commit on the unique index, then finds its row).
   */
  async ensure(
    manager: EntityManager,
    orgId: string,
    names: { name: string; key: string }[],
  ): Promise<TagRow[]> {
    if (names.length > 0) {
      await manager.query(
        `INSERT INTO tags (organization_id, name, name_key)
         SELECT $1, n, k FROM unnest($2::text[], $3::text[]) AS u(n, k)
         ON CONFLICT DO NOTHING`,
        [orgId, names.map((n) => n.name), names.map((n) => n.key)],
      );
    }
    return this.byKeys(
      manager,
      orgId,
      names.map((n) => n.key),
    );
  }

  /**
   * Guarded update of a tag still at `version` (version bumped). 412 when it changed; a taken
   * key answers 23505 (the caller maps it).
   */
  async update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: { name: string; nameKey: string; color: string | null; entityTypes: string[] | null },
  ): Promise<void> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE tags SET name = $4, name_key = $5, color = $6, entity_types = $7,
              version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND version = $3 RETURNING id`,
      [orgId, id, version, changes.name, changes.nameKey, changes.color, changes.entityTypes],
    );
    if (rows.length !== 1) throw new PreconditionFailedError();
  }

  /** Deletes a tag (its taggings cascade). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await manager.query('DELETE FROM tags WHERE organization_id = $1 AND id = $2', [orgId, id]);
  }

  /** Moves the taggings of `sourceId` to `targetId` (a record carrying both keeps one). */
  async moveTaggings(
    manager: EntityManager,
    orgId: string,
    sourceId: string,
    targetId: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO taggings (organization_id, tag_id, target_type, target_id)
       SELECT organization_id, $3, target_type, target_id FROM taggings
        WHERE organization_id = $1 AND tag_id = $2
       ON CONFLICT DO NOTHING`,
      [orgId, sourceId, targetId],
    );
  }

  /** Which types of target carry a tag (for a narrowed `entityTypes`). */
  async typesUsing(manager: EntityManager, orgId: string, tagId: string): Promise<string[]> {
    const rows = await manager.query<{ target_type: string }[]>(
      `SELECT DISTINCT target_type FROM taggings WHERE organization_id = $1 AND tag_id = $2`,
      [orgId, tagId],
    );
    return rows.map((r) => r.target_type);
  }

  /** The tags (names, folded-key order) of every record that carries any of `tagIds`. */
  recordsTaggedWith(
    manager: EntityManager,
    orgId: string,
    tagIds: string[],
  ): Promise<RecordTags[]> {
    return manager.query<RecordTags[]>(
      `SELECT g.target_type, g.target_id::text AS target_id,
              array_agg(t.name ORDER BY t.name_key) AS names
         FROM taggings g JOIN tags t ON t.id = g.tag_id
        WHERE g.organization_id = $1
          AND (g.target_type, g.target_id) IN (
                SELECT target_type, target_id FROM taggings
                 WHERE organization_id = $1 AND tag_id = ANY($2::uuid[]))
        GROUP BY g.target_type, g.target_id`,
      [orgId, tagIds],
    );
  }

  /** One record's tags (names in folded-key order). */
  async namesOf(
    manager: EntityManager,
    orgId: string,
    targetType: string,
    targetId: string,
  ): Promise<string[]> {
    const rows = await manager.query<{ name: string }[]>(
      `SELECT t.name FROM taggings g JOIN tags t ON t.id = g.tag_id
        WHERE g.organization_id = $1 AND g.target_type = $2 AND g.target_id = $3
        ORDER BY t.name_key`,
      [orgId, targetType, targetId],
    );
    return rows.map((r) => r.name);
  }

  /** Makes a record's taggings exactly `tagIds` (removes the others, adds the missing ones). */
  async replace(
    manager: EntityManager,
    orgId: string,
    targetType: string,
    targetId: string,
    tagIds: string[],
  ): Promise<void> {
    await manager.query(
      `DELETE FROM taggings WHERE organization_id = $1 AND target_type = $2 AND target_id = $3
          AND NOT (tag_id = ANY($4::uuid[]))`,
      [orgId, targetType, targetId, tagIds],
    );
    if (tagIds.length === 0) return;
    await manager.query(
      `INSERT INTO taggings (organization_id, tag_id, target_type, target_id)
       SELECT $1, u, $2, $3 FROM unnest($4::uuid[]) AS u ON CONFLICT DO NOTHING`,
      [orgId, targetType, targetId, tagIds],
    );
  }

  /**
   * Set-based `replace` for many records of one type (imports): each entry's taggings become
   * exactly its tag ids. An entry marked `fresh` is a record created in the caller's transaction,
   * which can have no taggings yet: it skips the DELETE of stale taggings (a batch of new rows
   * runs no DELETE at all).
   */
  async replaceMany(
    manager: EntityManager,
    orgId: string,
    targetType: string,
    entries: { targetId: string; tagIds: string[]; fresh?: boolean }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const targets = entries.filter((e) => !e.fresh).map((e) => e.targetId);
    const pairs = entries.flatMap((e) => e.tagIds.map((tagId) => [e.targetId, tagId] as const));
    if (targets.length > 0)
      await manager.query(
        `DELETE FROM taggings g WHERE g.organization_id = $1 AND g.target_type = $2
            AND g.target_id = ANY($3::uuid[])
            AND NOT EXISTS (SELECT 1 FROM unnest($4::uuid[], $5::uuid[]) AS p(target_id, tag_id)
                             WHERE p.target_id = g.target_id AND p.tag_id = g.tag_id)`,
        [orgId, targetType, targets, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      );
    if (pairs.length === 0) return;
    await manager.query(
      `INSERT INTO taggings (organization_id, tag_id, target_type, target_id)
       SELECT $1, p.tag_id, $2, p.target_id FROM unnest($3::uuid[], $4::uuid[]) AS p(target_id, tag_id)
       ON CONFLICT DO NOTHING`,
      [orgId, targetType, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
  }

  /** Removes every tagging of a target (the target is being deleted). */
  async removeAllOf(
    manager: EntityManager,
    orgId: string,
    targetType: string,
    targetId: string,
  ): Promise<void> {
    await manager.query(
      'DELETE FROM taggings WHERE organization_id = $1 AND target_type = $2 AND target_id = $3',
      [orgId, targetType, targetId],
    );
  }
}
