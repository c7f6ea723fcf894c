import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ValidationFailedError } from '../http/errors';
import { encodeCursor, ListQuery, SortKey } from '../http/list-query';

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

  /** Binds one value and returns its placeholder. */
  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get sql(): string {
    return this.parts.length ? this.parts.join(' AND ') : 'TRUE';
  }
}

/** `ORDER BY` body from allow-listed sort keys; `tieBreaker` keeps pages stable. */
export function orderBy<S extends string>(
  sort: readonly SortKey<S>[],
  columns: Readonly<Record<S, string>>,
  tieBreaker = 'id ASC',
): string {
  return [...sort.map((s) => `${columns[s.field]} ${s.direction}`), tieBreaker].join(', ');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keyset pagination over one sort expression plus the id (same direction for both). */
export interface Keyset {
  /** SQL of the sort key, e.g. `p.name`; `null` values are not supported (use non-null keys). */
  column: string;
  direction: 'ASC' | 'DESC';
  /** SQL of the row id; default `id`. */
  id?: string;
}

/**
 * One page and the exact total, in two statements whatever the page size (no N+1): `select` is
 * the column list (may hold correlated sub-selects that aggregate children), `from` the tables.
 * With `keyset`, `?cursor=` continues after the last row of the previous page at any depth with
 * no OFFSET scan, and a full page carries `nextCursor`.
 */
export async function selectPage<R>(
  manager: EntityManager,
  parts: {
    select: string;
    from: string;
    where: Conditions;
    order: string;
    query: Pick<ListQuery, 'size' | 'offset' | 'cursor'>;
    keyset?: Keyset;
    /** Wraps the exact count (e.g. a cache keyed by a write generation); default: count now. */
    count?: (load: () => Promise<number>) => Promise<number>;
  },
): Promise<{ rows: R[]; total: number; nextCursor?: string }> {
  const { select, from, where, query, keyset } = parts;
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
  if (keyset) {
    const id = keyset.id ?? 'id';
    order = `${keyset.column} ${keyset.direction}, ${id} ${keyset.direction}`;
    columns = `${select}, ${keyset.column} AS cursor_key`;
    if (query.cursor) {
      const { k, id: after } = query.cursor;
      if (
        !(typeof k === 'string' || typeof k === 'number') ||
        typeof after !== 'string' ||
        !UUID.test(after)
      ) {
        throw new ValidationFailedError([{ parameter: 'cursor', detail: 'cursor is not valid' }]);
      }
      where.add(
        `(${keyset.column}, ${id}) ${keyset.direction === 'ASC' ? '>' : '<'} (?, ?)`,
        k,
        after,
      );
    }
  }
  const rows =
    total === 0 || query.offset >= total
      ? []
      : await manager.query<(R & { cursor_key?: unknown; id?: string })[]>(
          `SELECT ${columns} FROM ${from} WHERE ${where.sql} ORDER BY ${order}
            LIMIT ${Number(query.size)} OFFSET ${Number(query.offset)}`,
          where.params,
        );
  const last = rows[rows.length - 1];
  const nextCursor =
    keyset && last && rows.length === query.size
      ? encodeCursor({
          k: last.cursor_key instanceof Date ? last.cursor_key.toISOString() : last.cursor_key,
          id: last.id,
        })
      : undefined;
  return { rows, total, nextCursor };
}

/** A short stable digest of a WHERE clause and its values (cache keys of counts). */
export const conditionsKey = (where: Conditions): string =>
  createHash('sha1').update(where.sql).update(JSON.stringify(where.params)).digest('base64url');

/** ISO string of a timestamp column (`pg` returns Date), or null. */
export const iso = (value: Date | string | null | undefined): string | null =>
  value === null || value === undefined ? null : new Date(value).toISOString();
