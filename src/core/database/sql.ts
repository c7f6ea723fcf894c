import type { EntityManager } from 'typeorm';
import type { ListQuery, SortKey } from '../http/list-query';

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

/**
 * One page and the exact total, in two statements whatever the page size (no N+1): `select` is
 * the column list (may hold correlated sub-selects that aggregate children), `from` the tables.
 */
export async function selectPage<R>(
  manager: EntityManager,
  parts: {
    select: string;
    from: string;
    where: Conditions;
    order: string;
    query: Pick<ListQuery, 'size' | 'offset'>;
  },
): Promise<{ rows: R[]; total: number }> {
  const { select, from, where, order, query } = parts;
  const [{ total }] = await manager.query<{ total: number }[]>(
    `SELECT count(*)::int AS total FROM ${from} WHERE ${where.sql}`,
    where.params,
  );
  const rows =
    total === 0 || query.offset >= total
      ? []
      : await manager.query<R[]>(
          `SELECT ${select} FROM ${from} WHERE ${where.sql} ORDER BY ${order}
            LIMIT ${Number(query.size)} OFFSET ${Number(query.offset)}`,
          where.params,
        );
  return { rows, total };
}

/** ISO string of a timestamp column (`pg` returns Date), or null. */
export const iso = (value: Date | string | null | undefined): string | null =>
  value === null || value === undefined ? null : new Date(value).toISOString();
