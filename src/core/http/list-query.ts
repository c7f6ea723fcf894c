import { Injectable, Optional } from '@nestjs/common';
import { Clock } from '../clock';
import { AppConfig } from '../config';
import {
  CompiledFilter,
  compileFilter,
  CUSTOM_FIELD_KEY,
  CustomFieldCatalog,
  CustomFieldDescriptor,
  customFieldFilterField,
  customFieldSortExpression,
  FilterContext,
  FilterField,
  InvalidFilterError,
  SavedFilterSource,
  StaleFilterError,
  usesDateToken,
} from '../filters';
import { normalizeName } from '../text';
import { TenantDatabase } from '../tenancy';
import { CursorCodec, KeysetPosition } from './cursor';
import { FieldIssue, NotFoundError, ValidationFailedError } from './errors';

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
  /** Name saved filters use, e.g. 'products' (unique; registered with defineList). */
  resource: string;
  /** The ?filter= allow-list (field name → FilterField). Every list has one. */
  fields: Readonly<Record<string, FilterField>>;
  /** Lists of records with custom fields: enables cf.<key> in filter and sort. */
  customFields?: { entityType: string; column: string };
}

export interface SortKey<S extends string = string> {
  field: S;
  direction: 'ASC' | 'DESC';
  /**
   * A `cf.<key>` sort (lists with `customFields`): its SQL expression (from code; the key is
   * checked) and how it compares, set by `ListQueryParser.resolve`.
   */
  custom?: { expression: string; type: 'numeric' | 'text' };
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
  /** `?filter=` (and a saved filter's), compiled; apply with `Conditions.addFilter`. */
  filter?: CompiledFilter;
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
const RESERVED = new Set(['page', 'size', 'sort', 'cursor', 'lang', 'filter', 'savedFilterId']);

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
    const custom = definition.customFields && field.startsWith('cf.');
    if (custom && !CUSTOM_FIELD_KEY.test(field.slice(3))) {
      issues.push({
        parameter: 'sort',
        detail: `cannot sort by "${field}": not a custom field key`,
      });
    } else if (!custom && !definition.sortable.includes(field)) {
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

// Values are ListDefinitions of any S, F; kept as unknown and read back as the erased form, because
// whether ListDefinition<S, F> is assignable to it depends on the variance TypeScript infers,
// which changes with the program's check order (the lint result flipped between branches).
const definitions = new Map<string, unknown>();

/** A list's allow-list as `compileFilter` reads it: its `fields`, then `cf.<key>` from `custom`. */
export function listFieldResolver<S extends string, F extends string>(
  definition: ListDefinition<S, F>,
  custom: ReadonlyMap<string, CustomFieldDescriptor>,
): (name: string) => FilterField | undefined {
  return (name) => {
    if (Object.prototype.hasOwnProperty.call(definition.fields, name))
      return definition.fields[name];
    const descriptor = name.startsWith('cf.') ? custom.get(name.slice(3)) : undefined;
    return descriptor && definition.customFields
      ? customFieldFilterField(descriptor, definition.customFields.column)
      : undefined;
  };
}

/**
 * `?filter=` of `definition` compiled for `ctx` outside a request (exports run it in the worker):
 * `custom` = the organization's custom field definitions by key (empty: `cf.` unknown).
 * Throws `InvalidFilterError`.
 */
export function compileListFilter<S extends string, F extends string>(
  definition: ListDefinition<S, F>,
  raw: unknown,
  ctx: FilterContext,
  custom: ReadonlyMap<string, CustomFieldDescriptor> = new Map(),
): CompiledFilter {
  return compileFilter(raw, listFieldResolver(definition, custom), ctx);
}

/**
 * Declares a list: registers it under `definition.resource` (saved filters find it there with
 * {@link findListDefinition}) and returns it unchanged. A resource declared twice, or a field
 * whose SQL holds a `?` (it would take a parameter's place), throws at start-up.
 */
export function defineList<S extends string, F extends string>(
  definition: ListDefinition<S, F>,
): ListDefinition<S, F> {
  if (definitions.has(definition.resource)) {
    throw new Error(`list resource "${definition.resource}" is defined twice`);
  }
  for (const [name, field] of Object.entries(definition.fields)) {
    const sql = [field.column, field.relation?.from, field.relation?.join].join(' ');
    if (sql.includes('?')) throw new Error(`filter field ${name}: SQL must not contain "?"`);
  }
  definitions.set(definition.resource, definition);
  return definition;
}

/** The list registered as `resource` by {@link defineList}, if any. */
export function findListDefinition(resource: string): ListDefinition | undefined {
  return definitions.get(resource) as ListDefinition | undefined;
}

/** Every registered list (resource → definition). */
export function listDefinitions(): ReadonlyMap<string, ListDefinition> {
  return definitions as ReadonlyMap<string, ListDefinition>;
}

const UUID_PARAM = UUID;

/**
 * Whether `?filter=` text names a `cf.` field, read as JSON (so a JSON-escaped `\u0063f.` counts);
 * text that is not JSON names none (the grammar answers it with 422 `invalid_filter`).
 */
function namesCustomField(text: string): boolean {
  try {
    return JSON.stringify(JSON.parse(text)).includes('"cf.');
  } catch {
    return false;
  }
}

/**
 * Injectable front of `parseListQuery` carrying the configured page-size limits and the cursor
 * signing key (derived from the JWT secret); `resolve` adds `?filter=`, `?savedFilterId=` and
 * `cf.<key>` sorts.
 */
@Injectable()
export class ListQueryParser {
  private readonly codec: CursorCodec;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly db: TenantDatabase,
    @Optional() private readonly catalog?: CustomFieldCatalog,
    @Optional() private readonly savedFilters?: SavedFilterSource,
  ) {
    this.codec = new CursorCodec(config.jwt.secret);
  }

  /**
   * The page, sort and per-parameter filters only: see {@link resolve}. `?filter=` and
   * `?savedFilterId=` are a 422 here rather than silently ignored.
   */
  parse<S extends string, F extends string>(
    definition: ListDefinition<S, F>,
    raw: Record<string, unknown>,
  ): ListQuery<S, F> {
    const unsupported = ['filter', 'savedFilterId'].filter((name) => raw[name] !== undefined);
    if (unsupported.length) {
      throw new ValidationFailedError(
        unsupported.map((name) => ({ parameter: name, detail: `${name} is not accepted here` })),
      );
    }
    return parseListQuery(definition, raw, this.config.pagination, this.codec);
  }

  /**
   * The whole list grammar for `scope` (the caller's organization and user): `parse`, then
   * `?filter=` compiled against `definition.fields` (and `cf.<key>` from the custom-field
   * catalog), `?savedFilterId=` (its filter ANDed with `?filter=`, its sort unless `?sort=` is
   * given; of another list → 422 `savedFilterId`; unknown or not the caller's → 404; a field it
   * names that the list no longer allows → 422 `stale_filter`), and `cf.<key>` sorts.
   * Reads: the organization's time zone only when a date token (`today`, `-7d`) is used; the
   * catalog only when `cf.` appears; the saved filter only when named. Errors: 422
   * `validation_error` (parameters), 422 `invalid_filter`, 422 `stale_filter`, 404.
   */
  async resolve<S extends string, F extends string>(
    definition: ListDefinition<S, F>,
    raw: Record<string, unknown>,
    scope: { orgId: string | null; userId: string | null },
    options: { limits?: { defaultSize: number; maxSize: number } } = {},
  ): Promise<ListQuery<S, F>> {
    const filterParam = raw.filter;
    if (filterParam !== undefined && typeof filterParam !== 'string') {
      throw new InvalidFilterError('', 'filter must be given once');
    }
    const savedId = raw.savedFilterId;
    if (savedId !== undefined && (typeof savedId !== 'string' || !UUID_PARAM.test(savedId))) {
      throw new ValidationFailedError([
        { parameter: 'savedFilterId', detail: 'savedFilterId must be a UUID, given once' },
      ]);
    }
    const saved =
      savedId === undefined ? undefined : await this.savedFilter(definition, scope, savedId);
    const effective = saved?.sort && raw.sort === undefined ? { ...raw, sort: saved.sort } : raw;
    let query: ListQuery<S, F>;
    try {
      query = parseListQuery(
        definition,
        effective,
        options.limits ?? this.config.pagination,
        options.limits ? undefined : this.codec,
      );
    } catch (error) {
      if (effective !== raw && error instanceof ValidationFailedError) {
        const sortIssue = error.issues.find((issue) => issue.parameter === 'sort');
        if (sortIssue)
          throw new StaleFilterError('sort', `the saved sort is stale: ${sortIssue.detail}`);
      }
      throw error;
    }

    const customSorts = query.sort.filter((s) => s.field.startsWith('cf.'));
    const mentionsCustom =
      customSorts.length > 0 ||
      (typeof filterParam === 'string' && namesCustomField(filterParam)) ||
      (!!saved?.filter && JSON.stringify(saved.filter).includes('cf.'));
    const custom = scope.orgId
      ? await this.customFields(definition, scope.orgId, mentionsCustom)
      : new Map<string, CustomFieldDescriptor>();
    for (const key of customSorts) {
      const descriptor = custom.get(key.field.slice(3));
      if (!descriptor) {
        const detail = `cannot sort by "${key.field}": no such custom field`;
        // A saved view's own sort naming a field deleted since: the view is stale, not the request.
        if (effective !== raw)
          throw new StaleFilterError('sort', `the saved sort is stale: ${detail}`);
        throw new ValidationFailedError([{ parameter: 'sort', detail }]);
      }
      key.custom = customFieldSortExpression(descriptor, definition.customFields!.column);
    }

    if (filterParam === undefined && !saved?.filter) return query;
    const needsZone =
      usesDateToken(filterParam ?? '') || (!!saved?.filter && usesDateToken(saved.filter));
    const ctx = {
      orgId: scope.orgId ?? '',
      userId: scope.userId,
      now: this.clock.now(),
      timezone: needsZone && scope.orgId ? await this.timezone(scope.orgId) : 'UTC',
    };
    const resolveField = listFieldResolver(definition, custom);
    const parts: CompiledFilter[] = [];
    if (saved?.filter) {
      try {
        parts.push(compileFilter(saved.filter, resolveField, ctx));
      } catch (error) {
        if (error instanceof InvalidFilterError) {
          throw new StaleFilterError(error.path, `the saved filter is stale: ${error.detail}`);
        }
        throw error;
      }
    }
    if (filterParam !== undefined) parts.push(compileFilter(filterParam, resolveField, ctx));
    query.filter =
      parts.length === 1
        ? parts[0]
        : {
            sql: parts.map((p) => `(${p.sql})`).join(' AND '),
            params: parts.flatMap((p) => p.params),
            fields: [...new Set(parts.flatMap((p) => p.fields))],
          };
    return query;
  }

  private async savedFilter(
    definition: ListDefinition,
    scope: { orgId: string | null; userId: string | null },
    id: string,
  ) {
    if (!this.savedFilters || !scope.orgId) {
      throw new ValidationFailedError([
        { parameter: 'savedFilterId', detail: 'saved filters are not available' },
      ]);
    }
    const spec = await this.savedFilters.find(scope.orgId, scope.userId, id.toLowerCase());
    if (!spec) throw new NotFoundError('Saved filter');
    if (spec.resource !== definition.resource) {
      throw new ValidationFailedError([
        {
          parameter: 'savedFilterId',
          detail: `the saved filter is for ${spec.resource}, not ${definition.resource}`,
        },
      ]);
    }
    return spec;
  }

  /** The list's custom field definitions by key (none without a catalog or `customFields`, or when not needed). */
  private async customFields(
    definition: ListDefinition,
    orgId: string,
    needed: boolean,
  ): Promise<Map<string, CustomFieldDescriptor>> {
    if (!needed || !this.catalog || !definition.customFields) return new Map();
    const list = await this.catalog.definitions(orgId, definition.customFields.entityType);
    return new Map(list.filter((d) => CUSTOM_FIELD_KEY.test(d.key)).map((d) => [d.key, d]));
  }

  /** The organization's IANA time zone (`UTC` when unset). */
  private async timezone(orgId: string): Promise<string> {
    const rows = await this.db.read(orgId, (manager) =>
      manager.query<{ timezone: string | null }[]>(
        'SELECT timezone FROM organizations WHERE id = $1',
        [orgId],
      ),
    );
    return rows[0]?.timezone || 'UTC';
  }
}
