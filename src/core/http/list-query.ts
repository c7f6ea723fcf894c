import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config';
import { normalizeName } from '../text';
import { CursorCodec, KeysetPosition } from './cursor';
import { FieldIssue, ValidationFailedError } from './errors';

/** How one allow-listed filter parameter is typed. */
export type FilterType =
  | 'string'
  | 'uuid'
  | 'boolean'
  | 'int'
  | 'decimal'
  | 'date'
  | 'datetime'
  /** Comma-separated names (`?tag=a,b`): 1–50 items, each `normalizeName`d and 1–50 characters. */
  | 'names'
  | { enum: readonly string[] };

/** A resource's list grammar: what it may be sorted and filtered by. Declared once per resource. */
export interface ListDefinition<S extends string = string, F extends string = string> {
  sortable: readonly S[];
  /** e.g. `-createdAt`; `id` is always appended as a tie-breaker so pages are stable. */
  defaultSort: string;
  filters: Readonly<Record<F, FilterType>>;
  /** Accepts `?cursor=` keyset pagination (large append-only lists). */
  cursor?: boolean;
}

export interface SortKey<S extends string = string> {
  field: S;
  direction: 'ASC' | 'DESC';
}

export type FilterValue = string | number | boolean | Date | string[];

export interface ListQuery<S extends string = string, F extends string = string> {
  page: number;
  size: number;
  offset: number;
  sort: SortKey<S>[];
  filters: Partial<Record<F, FilterValue>>;
  /** Verified keyset position (continue after it), when `?cursor=` was sent. */
  cursor?: KeysetPosition;
  /** Signs the `nextCursor` of a keyset page (set by `ListQueryParser` on cursor lists). */
  cursorCodec?: CursorCodec;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
  /** Present in cursor mode: pass it back as `?cursor=` for the next page (absent on the last). */
  nextCursor?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^-?\d{1,20}(\.\d{1,10})?$/;
/** Parameters of the list grammar itself, and `lang` (the response language, read everywhere). */
/** The highest `page` a list accepts (a larger one is a 422). */
export const MAX_PAGE = 1_000_000;
const RESERVED = new Set(['page', 'size', 'sort', 'cursor', 'lang']);

/** The one answer to a cursor that is not a valid position of this list and sort order. */
export const INVALID_CURSOR: FieldIssue = {
  parameter: 'cursor',
  detail: 'cursor is not valid for this list and sort order; start again without it',
};

function parseFilter(name: string, type: FilterType, raw: string): FilterValue | FieldIssue {
  const issue = (detail: string): FieldIssue => ({ parameter: name, detail: `${name} ${detail}` });
  if (typeof type === 'object') {
    return type.enum.includes(raw) ? raw : issue(`must be one of: ${type.enum.join(', ')}`);
  }
  switch (type) {
    case 'string': {
      // Compared with names, codes and SKUs stored under the same rule (NFC, zero-width removed,
      // whitespace collapsed, trimmed), so `?q= Cafe\u0301 ` finds the stored `Café`.
      const value = normalizeName(raw);
      return value.length <= 200 ? value : issue('must be at most 200 characters');
    }
    case 'uuid':
      return UUID.test(raw) ? raw.toLowerCase() : issue('must be a UUID');
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : issue('must be true or false');
    case 'int':
      return /^-?\d{1,15}$/.test(raw) ? Number(raw) : issue('must be an integer');
    case 'decimal':
      return DECIMAL.test(raw) ? raw : issue('must be a decimal number like 12.50');
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(raw))
        ? raw
        : issue('must be a date like 2026-01-31');
    case 'names': {
      const names = raw.split(',').map((name) => normalizeName(name));
      if (names.length > 50) return issue('must list at most 50 names');
      return names.every((name) => name.length >= 1 && name.length <= 50)
        ? [...new Set(names)]
        : issue('must be comma-separated names of 1 to 50 characters each');
    }
    case 'datetime': {
      const time = Date.parse(raw);
      return /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) && !Number.isNaN(time)
        ? new Date(time)
        : issue('must be an ISO-8601 timestamp');
    }
  }
}

/**
 * Parses `?page&size&sort&cursor&<filters>` against a resource's allow-list. `string` filters are
 * normalised as stored names/codes are (`normalizeName`: NFC, zero-width removed, whitespace
 * collapsed, trimmed) before any comparison. Anything unknown,
 * mistyped or out of range is a 422 naming the parameter — never silently ignored, never passed
 * through to SQL. `codec` verifies `?cursor=` (a cursor it did not sign → 422 `cursor`); without
 * one (filters-only callers such as exports) a cursor is refused.
 */
export function parseListQuery<S extends string, F extends string>(
  definition: ListDefinition<S, F>,
  raw: Record<string, unknown>,
  limits: { defaultSize: number; maxSize: number },
  codec?: CursorCodec,
): ListQuery<S, F> {
  const issues: FieldIssue[] = [];
  const single = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      issues.push({ parameter: name, detail: `${name} must be given once` });
      return undefined;
    }
    return value;
  };

  const positiveInt = (name: string, fallback: number, max: number): number => {
    const value = single(name);
    if (value === undefined) return fallback;
    if (!/^\d{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) {
      issues.push({ parameter: name, detail: `${name} must be an integer from 1 to ${max}` });
      return fallback;
    }
    return Number(value);
  };
  const page = positiveInt('page', 1, MAX_PAGE);
  const size = positiveInt('size', limits.defaultSize, limits.maxSize);

  const sort: SortKey<S>[] = [];
  const sortParam = single('sort') ?? definition.defaultSort;
  for (const token of sortParam
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)) {
    const direction = token.startsWith('-') ? 'DESC' : 'ASC';
    const field = token.replace(/^[-+]/, '') as S;
    if (!definition.sortable.includes(field)) {
      issues.push({
        parameter: 'sort',
        detail: `cannot sort by "${field}"; sortable: ${definition.sortable.join(', ')}`,
      });
    } else if (sort.some((s) => s.field === field)) {
      issues.push({ parameter: 'sort', detail: `"${field}" appears twice in sort` });
    } else sort.push({ field, direction });
  }

  let cursor: KeysetPosition | undefined;
  const cursorParam = single('cursor');
  if (cursorParam !== undefined) {
    if (!definition.cursor || !codec)
      issues.push({ parameter: 'cursor', detail: 'this list has no cursor mode' });
    else {
      cursor = codec.decode(cursorParam);
      if (!cursor) issues.push(INVALID_CURSOR);
    }
    if (raw.page !== undefined)
      issues.push({ parameter: 'page', detail: 'use either page or cursor' });
  }

  const filters: Partial<Record<F, FilterValue>> = {};
  for (const name of Object.keys(raw)) {
    if (RESERVED.has(name)) continue;
    const type = (definition.filters as Record<string, FilterType>)[name];
    if (!type) {
      const known = Object.keys(definition.filters);
      issues.push({
        parameter: name,
        detail: `unknown parameter "${name}"${known.length ? `; filters: ${known.join(', ')}` : ''}`,
      });
      continue;
    }
    const value = single(name);
    if (value === undefined) continue;
    const parsed = parseFilter(name, type, value);
    if (typeof parsed === 'object' && !(parsed instanceof Date) && !Array.isArray(parsed))
      issues.push(parsed);
    else filters[name as F] = parsed;
  }

  if (issues.length > 0) throw new ValidationFailedError(issues);
  const query: ListQuery<S, F> = { page, size, offset: (page - 1) * size, sort, filters, cursor };
  if (definition.cursor && codec) query.cursorCodec = codec;
  return query;
}

export function toPage<T>(
  items: T[],
  total: number,
  query: ListQuery,
  nextCursor?: string,
): Page<T> {
  const page: Page<T> = {
    items,
    total,
    page: query.page,
    size: query.size,
    pages: Math.ceil(total / query.size),
  };
  if (nextCursor) page.nextCursor = nextCursor;
  return page;
}

/**
 * Injectable front of `parseListQuery` carrying the configured page-size limits and the cursor
 * signing key (derived from the JWT secret).
 */
@Injectable()
export class ListQueryParser {
  private readonly codec: CursorCodec;

  constructor(private readonly config: AppConfig) {
    this.codec = new CursorCodec(config.jwt.secret);
  }

  parse<S extends string, F extends string>(
    definition: ListDefinition<S, F>,
    raw: Record<string, unknown>,
  ): ListQuery<S, F> {
    return parseListQuery(definition, raw, this.config.pagination, this.codec);
  }
}
