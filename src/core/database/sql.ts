import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ValidationFailedError } from '../http/errors';
import { INVALID_CURSOR, ListQuery, SortKey } from '../http/list-query';
import type { CompiledFilter } from '../filters';

/** `%`, `_` and `\` taken literally inside an `ILIKE` pattern. */
export const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `ILIKE` pattern matching `text` anywhere. */
export const contains = (text: unknown): string => `%${escapeLike(String(text))}%`;

/**
 * A WHERE clause built from fragments with `?` placeholders, bound in order to `$1..$n`. Values
 * never enter the SQL text; column names only come from code.
 */
export class Conditions {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];

  /** Adds `sql`, binding each `?` to the next of `values`. */
  add(sql: string, ...values: unknown[]): this {
    let next = 0;
    this.parts.push(sql.replace(/\?/g, () => this.bind(values[next++])));
    return this;
  }

  /** Adds `sql` only when `value` is defined (an optional filter). */
  addIf(value: unknown, sql: string, ...values: unknown[]): this {
    return value === undefined ? this : this.add(sql, ...(values.length ? values : [value]));
  }

  /**
   * ANDs a compiled `?filter=` (see `compileFilter`) as one parenthesised term: the tenant
   * predicate added before it stays outside whatever `or`/`not` the filter holds. No-op without one.
   */
  addFilter(filter?: CompiledFilter): this {
    return filter ? this.add(`(${filter.sql})`, ...filter.params) : this;
  }

  /** Binds one value and returns its placeholder. */
  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** An independent copy (adding to it leaves this one unchanged). */
  copy(): Conditions {
    const copy = new Conditions();
    copy.params.push(...this.params);
    copy.parts.push(...this.parts);
    return copy;
  }

  get sql(): string {
    return this.parts.length ? this.parts.join(' AND ') : 'TRUE';
  }
}

/**
 * A compiled `?filter=` for SQL numbered by hand (`$1..$n`): appends its values to `params` and
 * returns its SQL, parenthesised, with each `?` renumbered after the values already there.
 */
export function filterSql(filter: CompiledFilter, params: unknown[]): string {
  let next = 0;
  const sql = filter.sql.replace(/\?/g, () => {
    params.push(filter.params[next++]);
    return `$${params.length}`;
  });
  return `(${sql})`;
}

/**
 * The WHERE of one page of a record's history (the timeline's sources, SPEC-P3 §3): rows of
 * `orgId` hanging off (`entityType`, `entityId`) through `<alias>.entity_type/entity_id`,
 * strictly older than `before` in (`<alias>.<atColumn>` DESC, `<alias>.id` DESC) order. Pair it
 * with `ORDER BY <alias>.<atColumn> DESC, <alias>.id DESC` and an index on (organization_id,
 * entity_type, entity_id, <atColumn> DESC, id DESC), so a page is one index range scan.
 */
export function historyPageConditions(
  alias: string,
  atColumn: string,
  orgId: string,
  target: { entityType: string; entityId: string },
  before: { at: string; id: string } | null,
): Conditions {
  const where = new Conditions()
    .add(`${alias}.organization_id = ?`, orgId)
    .add(`${alias}.entity_type = ?`, target.entityType)
    .add(`${alias}.entity_id = ?`, target.entityId);
  if (before) {
    where.add(
      `(${alias}.${atColumn}, ${alias}.id) < (?::timestamptz, ?::uuid)`,
      before.at,
      before.id,
    );
  }
  return where;
}

/** `column` as exact UTC ISO-8601 text with microseconds (a history entry's `at`). */
export const utcMicros = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** `ORDER BY` body from allow-listed sort keys; `tieBreaker` keeps pages stable. */
export function orderBy<S extends string>(
  sort: readonly SortKey<S>[],
  columns: Readonly<Record<S, string>>,
  tieBreaker = 'id ASC',
): string {
  const keys = sort.map((s) => {
    const column = s.custom?.expression ?? columns[s.field];
    if (!column)
      throw new ValidationFailedError([
        { parameter: 'sort', detail: `cannot sort by "${s.field}"` },
      ]);
    return `${column} ${s.direction}`;
  });
  return [...keys, tieBreaker].join(', ');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PostgreSQL type of a keyset sort key: how its exact text is read, checked and bound back. */
export type KeysetType =
  'timestamptz' | 'numeric' | 'text' | 'citext' | 'uuid' | 'bigint' | 'boolean';

/** What a key's text must look like (a signed cursor is still checked before it reaches SQL). */
const KEY_FORMAT: Record<KeysetType, RegExp> = {
  // Always UTC with all six fractional digits: see `keyText`.
  timestamptz: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
  numeric: /^-?\d{1,40}(\.\d{1,20})?$/,
  text: /^[^\0]{0,2000}$/,
  citext: /^[^\0]{0,2000}$/,
  uuid: UUID,
  bigint: /^-?\d{1,19}$/,
  boolean: /^(true|false)$/,
};

/**
 * Keyset pagination over one sort expression plus the id (same direction for both). The key
 * travels as PostgreSQL's own text of it and is compared as `type` again, so timestamps keep
 * their microseconds, decimals their digits and text its collation (the column's own).
 */
export interface Keyset {
  /** SQL of the sort key, e.g. `p.name` (from code only). */
  column: string;
  /** The key's PostgreSQL type (the column's, so comparisons use its operators and collation). */
  type: KeysetType;
  direction: 'ASC' | 'DESC';
  /** The key may be null: nulls sort last ascending and first descending (PostgreSQL's default). */
  nullable?: boolean;
  /** SQL of the row id (uuid), the tie-breaker; default `id`; `false` when `column` is unique. */
  id?: string | false;
}

/** The exact, session-independent text of a key (timestamps in UTC with microseconds). */
const keyText = (keyset: Keyset): string =>
  keyset.type === 'timestamptz'
    ? `to_char(${keyset.column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : `(${keyset.column})::text`;

/** `ORDER BY` of a keyset page: the key (nulls placed explicitly), then the id. */
export function keysetOrder(keyset: Keyset): string {
  const nulls = keyset.direction === 'ASC' ? 'NULLS LAST' : 'NULLS FIRST';
  const id = keyset.id === false ? '' : `, ${keyset.id ?? 'id'} ${keyset.direction}`;
  return `${keyset.column} ${keyset.direction} ${nulls}${id}`;
}

/**
 * Adds "rows after `position`" in the order of `keysetOrder(keyset)` to `where`. The position
 * must belong to `scope` and its key must have the key type's shape; otherwise 422 `cursor`.
 */
export function addKeysetCondition(
  where: Conditions,
  keyset: Keyset,
  scope: string,
  position: { scope: string; key: string | null; id: string },
): void {
  const { key, id: after } = position;
  const hasId = keyset.id !== false;
  const valid =
    position.scope === scope &&
    (key === null ? keyset.nullable === true && hasId : KEY_FORMAT[keyset.type].test(key)) &&
    (hasId ? UUID.test(after) : after === '');
  if (!valid) throw new ValidationFailedError([INVALID_CURSOR]);
  const column = keyset.column;
  const id = keyset.id === false ? '' : (keyset.id ?? 'id');
  const op = keyset.direction === 'ASC' ? '>' : '<';
  const cast = `::${keyset.type}`;
  if (key === null) {
    // Null keys come last ascending (only nulls with a later id follow) and first descending
    // (nulls with an earlier id follow, then every non-null key).
    where.add(
      keyset.direction === 'ASC'
        ? `(${column} IS NULL AND ${id} > ?::uuid)`
        : `((${column} IS NULL AND ${id} < ?::uuid) OR ${column} IS NOT NULL)`,
      after,
    );
    return;
  }
  const next = hasId ? `(${column}, ${id}) ${op} (?${cast}, ?::uuid)` : `${column} ${op} ?${cast}`;
  const values = hasId ? [key, after] : [key];
  if (keyset.nullable && keyset.direction === 'ASC') {
    where.add(`(${next} OR ${column} IS NULL)`, ...values);
  } else where.add(next, ...values);
}

/**
 * One page and the exact total, in two statements whatever the page size (no N+1): `select` is
 * the column list (may hold correlated sub-selects that aggregate children), `from` the tables.
 * With `keyset`, `?cursor=` continues after the last row of the previous page at any depth with
 * no OFFSET scan, and a full page carries `nextCursor` (signed by `query.cursorCodec`; a cursor
 * of another list, sort or direction → 422 `cursor`).
 */
export async function selectPage<R>(
  manager: EntityManager,
  parts: {
    select: string;
    from: string;
    where: Conditions;
    order: string;
    query: Pick<ListQuery, 'size' | 'offset' | 'cursor' | 'cursorCodec'>;
    keyset?: Keyset;
    /** Wraps the exact count (e.g. a cache keyed by a write generation); default: count now. */
    count?: (load: () => Promise<number>) => Promise<number>;
  },
): Promise<{ rows: R[]; total: number; nextCursor?: string }> {
  const { select, from, query, keyset } = parts;
  const scope = keyset ? [from, keyset.column, keyset.type, keyset.direction].join('|') : '';
  if (query.cursor && !keyset) throw new ValidationFailedError([INVALID_CURSOR]);
  // The count is of the whole filtered list, not of what follows the cursor.
  const where = parts.where;
  const countNow = async () =>
    (
      await manager.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM ${from} WHERE ${where.sql}`,
        where.params,
      )
    )[0].total;
  const total = parts.count ? await parts.count(countNow) : await countNow();
  let order = parts.order;
  let columns = select;
  let pageWhere = where;
  if (keyset) {
    order = keysetOrder(keyset);
    const id = keyset.id === false ? `''` : (keyset.id ?? 'id');
    columns = `${select}, ${keyText(keyset)} AS cursor_key, (${id})::text AS cursor_id`;
    if (query.cursor) {
      pageWhere = where.copy();
      addKeysetCondition(pageWhere, keyset, scope, query.cursor);
    }
  }
  const rows =
    total === 0 || query.offset >= total
      ? []
      : await manager.query<(R & { cursor_key?: string | null; cursor_id?: string })[]>(
          `SELECT ${columns} FROM ${from} WHERE ${pageWhere.sql} ORDER BY ${order}
            LIMIT ${Number(query.size)} OFFSET ${Number(query.offset)}`,
          pageWhere.params,
        );
  const last = rows[rows.length - 1];
  let nextCursor: string | undefined;
  if (keyset && last && rows.length === query.size) {
    if (!query.cursorCodec) throw new Error('selectPage: a keyset page needs query.cursorCodec');
    nextCursor = query.cursorCodec.encode({
      scope,
      key: last.cursor_key ?? null,
      id: last.cursor_id ?? '',
    });
  }
  return { rows, total, nextCursor };
}

/** A short stable digest of a WHERE clause and its values (cache keys of counts). */
export const conditionsKey = (where: Conditions): string =>
  createHash('sha1').update(where.sql).update(JSON.stringify(where.params)).digest('base64url');

/** ISO string of a timestamp column (`pg` returns Date), or null. */
export const iso = (value: Date | string | null | undefined): string | null =>
  value === null || value === undefined
    ? null
    : // A Date is formatted as it is (no copy: every row of every page goes through here).
      (value instanceof Date ? value : new Date(value)).toISOString();
