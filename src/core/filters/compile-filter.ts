import { normalizeName } from '../text';
import { InvalidFilterError } from './filter.errors';
import type {
  CompiledFilter,
  FilterContext,
  FilterField,
  FilterFieldType,
  FilterOperator,
} from './filter.types';
import { FILTER_OPERATORS } from './filter.types';
import { DATE_TOKEN, knownZone, resolveDateToken, shiftDay } from './relative-date';

/** Nesting of `and`/`or`/`not` groups (a bare condition is depth 0). */
export const MAX_FILTER_DEPTH = 4;
/** Conditions (`{"field","op"}` leaves) in one filter. */
export const MAX_FILTER_CONDITIONS = 50;
/** UTF-8 bytes of the filter's JSON. */
export const MAX_FILTER_BYTES = 8192;
/** Values of one `in`/`notin`. */
export const MAX_FILTER_IN_VALUES = 100;
/** Characters of one string value. */
export const MAX_FILTER_STRING = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^-?\d{1,20}(\.\d{1,10})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const COMPARISONS: readonly FilterOperator[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'];
const ORDERED: readonly FilterOperator[] = [...COMPARISONS, 'in', 'notin', 'isnull'];
const STRING_OPS: readonly FilterOperator[] = ['contains', 'icontains', 'startswith', 'endswith'];
const EQUALITY: readonly FilterOperator[] = ['eq', 'neq', 'in', 'notin', 'isnull'];

/** The operators a field type has a meaning for. */
export function operatorsFor(type: FilterFieldType): readonly FilterOperator[] {
  if (typeof type === 'object') return EQUALITY;
  switch (type) {
    case 'string':
    case 'text':
      return [...ORDERED, ...STRING_OPS];
    case 'uuid':
    case 'string[]':
      return EQUALITY;
    case 'boolean':
      return ['eq', 'neq', 'isnull'];
    default:
      return ORDERED;
  }
}

const SQL_OPERATOR: Record<string, string> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

const CAST: Record<string, string> = {
  uuid: '::uuid',
  int: '::bigint',
  decimal: '::numeric',
  date: '::date',
  datetime: '::timestamptz',
  boolean: '::boolean',
};

/** `%`, `_` and `\` taken literally inside a LIKE pattern (PostgreSQL's default escape `\`). */
const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The typed `->>` extraction of a JSONB key whose stored text may not parse (then NULL, never an error). */
const NUMERIC_TEXT = `'^-{0,1}[0-9]{1,30}([.][0-9]{1,30}){0,1}$'`;
const DATETIME_TEXT = `'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}'`;

/** A date token on a datetime field: the local day `[start, end)` in the context's zone. */
interface DayRange {
  day: string;
}

type Value = string | number | boolean | DayRange;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const quoted = (text: string): string =>
  JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);

const typeName = (type: FilterFieldType): string =>
  typeof type === 'object' ? `one of ${type.enum.join(', ')}` : type;

class FilterCompiler {
  readonly params: unknown[] = [];
  readonly fields: string[] = [];
  private conditions = 0;

  constructor(
    private readonly resolve: (field: string) => FilterField | undefined,
    private readonly ctx: FilterContext,
  ) {}

  /** Appends `value` to the parameters and returns its placeholder. */
  private bind(value: unknown): string {
    this.params.push(value);
    return '?';
  }

  private fail(path: string, detail: string): never {
    throw new InvalidFilterError(path, detail);
  }

  node(node: unknown, path: string, depth: number): string {
    const at = (key: string) => (path ? `${path}.${key}` : key);
    if (!isPlainObject(node)) {
      this.fail(
        path,
        'a filter node must be an object: {"and":[…]}, {"or":[…]}, {"not":{…}} or {"field":…,"op":…,"value":…}',
      );
    }
    const keys = Object.keys(node);
    const group = keys.find((k) => k === 'and' || k === 'or' || k === 'not');
    if (group) {
      if (keys.length !== 1) {
        const other = keys.find((k) => k !== group)!;
        this.fail(at(other), `"${group}" must be the only key of its node`);
      }
      if (depth + 1 > MAX_FILTER_DEPTH) {
        this.fail(at(group), `groups may nest at most ${MAX_FILTER_DEPTH} deep`);
      }
      const body = node[group];
      if (group === 'not') {
        // NULL (a comparison with a missing value) counts as false, so `not` is the exact complement.
        return `NOT COALESCE((${this.node(body, at('not'), depth + 1)}), FALSE)`;
      }
      if (!Array.isArray(body) || body.length === 0 || body.length > MAX_FILTER_CONDITIONS) {
        this.fail(at(group), `"${group}" must be an array of 1 to ${MAX_FILTER_CONDITIONS} nodes`);
      }
      const parts = body.map((child, i) => this.node(child, at(`${group}[${i}]`), depth + 1));
      return `(${parts.join(group === 'and' ? ' AND ' : ' OR ')})`;
    }
    for (const key of keys) {
      if (key !== 'field' && key !== 'op' && key !== 'value') {
        this.fail(at(key), `unknown key ${quoted(key)}; a condition has field, op and value`);
      }
    }
    this.conditions += 1;
    if (this.conditions > MAX_FILTER_CONDITIONS) {
      this.fail(path, `a filter may have at most ${MAX_FILTER_CONDITIONS} conditions`);
    }
    return this.condition(node, at);
  }

  private condition(node: Record<string, unknown>, at: (key: string) => string): string {
    const { field, op } = node;
    if (
      typeof field !== 'string' ||
      field.length === 0 ||
      field.length > 200 ||
      field.includes('\0')
    ) {
      this.fail(at('field'), 'field must be a field name');
    }
    const definition = this.resolve(field);
    if (!definition) this.fail(at('field'), `unknown field ${quoted(field)}`);
    if (typeof op !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(op)) {
      this.fail(at('op'), `op must be one of: ${FILTER_OPERATORS.join(', ')}`);
    }
    const operator = op as FilterOperator;
    const allowed = operatorsFor(definition.type);
    if (!allowed.includes(operator)) {
      this.fail(
        at('op'),
        `${operator} does not apply to ${field} (${typeName(definition.type)}); use one of: ${allowed.join(', ')}`,
      );
    }
    if (!this.fields.includes(field)) this.fields.push(field);
    const valuePath = at('value');
    if (operator === 'isnull') {
      if (typeof node.value !== 'boolean') this.fail(valuePath, 'isnull takes true or false');
      return this.isNull(definition, node.value);
    }
    if (operator === 'in' || operator === 'notin') {
      const list = node.value;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_FILTER_IN_VALUES) {
        this.fail(valuePath, `${operator} takes an array of 1 to ${MAX_FILTER_IN_VALUES} values`);
      }
      const values = list.map((item, i) => {
        const value = this.value(definition, operator, item, `${valuePath}[${i}]`);
        if (typeof value === 'object') {
          this.fail(
            `${valuePath}[${i}]`,
            'date tokens are not allowed in in/notin on a datetime field',
          );
        }
        return value;
      });
      return this.membership(definition, operator === 'notin', values);
    }
    const value = this.value(definition, operator, node.value, valuePath);
    return this.compare(definition, operator, value);
  }

  /** Checks and converts one value of `definition`'s type (tokens resolved). */
  private value(definition: FilterField, op: FilterOperator, raw: unknown, path: string): Value {
    const type = definition.type;
    const text = (): string => {
      if (typeof raw !== 'string') this.fail(path, 'must be a string');
      if (raw.includes('\0')) this.fail(path, 'must not contain NUL characters');
      if (raw.length > MAX_FILTER_STRING)
        this.fail(path, `must be at most ${MAX_FILTER_STRING} characters`);
      return raw;
    };
    if (typeof type === 'object') {
      const value = text();
      if (!type.enum.includes(value)) this.fail(path, `must be one of: ${type.enum.join(', ')}`);
      return value;
    }
    switch (type) {
      case 'text':
        return text();
      case 'string':
        return normalizeName(text());
      case 'string[]': {
        const value = normalizeName(text());
        if (definition.values && !definition.values.includes(value)) {
          this.fail(path, `must be one of: ${definition.values.join(', ')}`);
        }
        return value;
      }
      case 'uuid': {
        const value = text();
        if (value === '@me') {
          if (!this.ctx.userId) this.fail(path, '@me needs a signed-in user (not an API key)');
          return this.ctx.userId;
        }
        if (!UUID.test(value)) this.fail(path, 'must be a UUID or @me');
        return value.toLowerCase();
      }
      case 'boolean':
        if (typeof raw !== 'boolean') this.fail(path, 'must be true or false');
        return raw;
      case 'int':
        if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
        if (typeof raw === 'string' && /^-?\d{1,15}$/.test(raw)) return Number(raw);
        return this.fail(path, 'must be an integer');
      case 'decimal': {
        const value = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
        if (typeof value !== 'string' || !DECIMAL.test(value)) {
          this.fail(path, 'must be a decimal number like 12.50');
        }
        return value;
      }
      case 'date': {
        const value = text();
        const day = resolveDateToken(value, this.ctx.now, this.ctx.timezone) ?? value;
        if (!validDay(day))
          this.fail(path, 'must be a date like 2026-01-31, today, -7d, +2w or -1m');
        return day;
      }
      case 'datetime': {
        const value = text();
        if (DATE_TOKEN.test(value)) {
          const day = resolveDateToken(value, this.ctx.now, this.ctx.timezone)!;
          if (!validDay(day)) this.fail(path, 'the date token is out of range');
          return { day };
        }
        // The written day must exist (Date would roll 2026-02-30 over to March 2); a timestamp
        // without an offset is UTC, as a date alone is (not the server's local zone).
        const written = DATETIME.test(value) && validDay(value.slice(0, 10));
        const utc =
          value.includes('T') && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value;
        const time = written ? new Date(utc) : null;
        if (!time || Number.isNaN(time.getTime()) || !validDay(time.toISOString().slice(0, 10))) {
          this.fail(path, 'must be an ISO-8601 timestamp, today, -7d, +2w or -1m');
        }
        return time.toISOString();
      }
    }
  }

  /** `<lhs>` of `definition` (pushes the JSONB key's parameters, in order). */
  private lhs(definition: FilterField): string {
    const json = definition.jsonb;
    if (!json) return definition.column;
    const type = definition.type;
    if (type === 'int' || type === 'decimal') {
      return `(CASE WHEN (${json.column} ->> ${this.bind(json.key)}) ~ ${NUMERIC_TEXT} THEN (${json.column} ->> ${this.bind(json.key)})::numeric END)`;
    }
    if (type === 'datetime') {
      return `(CASE WHEN (${json.column} ->> ${this.bind(json.key)}) ~ ${DATETIME_TEXT} THEN (${json.column} ->> ${this.bind(json.key)})::timestamptz END)`;
    }
    return `(${json.column} ->> ${this.bind(json.key)})`;
  }

  /** The cast of a bound value compared with `definition` (a JSONB date is compared as its text). */
  private cast(definition: FilterField): string {
    const type = definition.type;
    if (typeof type === 'object') return '';
    if (definition.jsonb && (type === 'date' || type === 'uuid' || type === 'boolean')) return '';
    return CAST[type] ?? '';
  }

  /** Wraps a condition on a relation path into EXISTS / NOT EXISTS. */
  private related(definition: FilterField, condition: string | null, negate: boolean): string {
    const relation = definition.relation!;
    const where = condition ? `${relation.join} AND ${condition}` : relation.join;
    return `${negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${relation.from} WHERE ${where})`;
  }

  /** Whether eq/in on this field compile to JSONB containment (`@>`, GIN-friendly). */
  private contained(definition: FilterField): boolean {
    const type = definition.type;
    return (
      !!definition.jsonb &&
      (typeof type === 'object' ||
        ['string', 'text', 'uuid', 'boolean', 'date', 'string[]'].includes(type))
    );
  }

  private containment(definition: FilterField, value: Value): string {
    const json = definition.jsonb!;
    const element = definition.type === 'string[]' ? [value] : value;
    return `${json.column} @> ${this.bind(JSON.stringify({ [json.key]: element }))}::jsonb`;
  }

  private isNull(definition: FilterField, isNull: boolean): string {
    if (definition.jsonb) {
      const json = definition.jsonb;
      const empty = `COALESCE((${json.column} -> ${this.bind(json.key)}) IN ('null'::jsonb, '[]'::jsonb, '""'::jsonb), TRUE)`;
      return isNull ? empty : `NOT ${empty}`;
    }
    if (definition.relation) {
      const present = definition.type === 'string[]' ? null : `${definition.column} IS NOT NULL`;
      return this.related(definition, present, isNull);
    }
    if (definition.type === 'string[]') {
      return isNull
        ? `COALESCE(cardinality(${definition.column}), 0) = 0`
        : `COALESCE(cardinality(${definition.column}), 0) > 0`;
    }
    return `${definition.column} IS ${isNull ? '' : 'NOT '}NULL`;
  }

  private membership(definition: FilterField, negate: boolean, values: Value[]): string {
    if (this.contained(definition)) {
      const any = `(${values.map((v) => this.containment(definition, v)).join(' OR ')})`;
      return negate ? `NOT ${any}` : any;
    }
    if (definition.type === 'string[]' && !definition.relation) {
      const overlap = `${definition.column} && ${this.bind(values)}::text[]`;
      return negate ? `NOT COALESCE(${overlap}, FALSE)` : overlap;
    }
    const lhs = this.lhs(definition);
    const cast = this.cast(definition);
    const list = `${lhs} IN (${values.map((v) => `${this.bind(v)}${cast}`).join(', ')})`;
    if (definition.relation) return this.related(definition, list, negate);
    // `notin` keeps rows without a value (as `neq` does).
    return negate ? `(${lhs} IS NULL OR NOT (${list}))` : list;
  }

  private compare(definition: FilterField, op: FilterOperator, value: Value): string {
    if (definition.relation) {
      const negate = op === 'neq';
      const inner = this.plainCompare(definition, negate ? 'eq' : op, value);
      return this.related(definition, inner, negate);
    }
    if ((op === 'eq' || op === 'neq') && this.contained(definition)) {
      const contains = this.containment(definition, value);
      return op === 'eq' ? contains : `NOT ${contains}`;
    }
    return this.plainCompare(definition, op, value);
  }

  /** A comparison on the column itself (inside EXISTS for relation paths). */
  private plainCompare(definition: FilterField, op: FilterOperator, value: Value): string {
    if (definition.type === 'string[]' && !definition.relation) {
      const has = `${this.bind(value)} = ANY(${definition.column})`;
      return op === 'eq' ? has : `NOT COALESCE(${has}, FALSE)`;
    }
    if (typeof value === 'object') return this.dayCompare(definition, op, value.day);
    const lhs = this.lhs(definition);
    switch (op) {
      case 'contains':
        return `${lhs} LIKE ${this.bind(`%${escapeLike(String(value))}%`)}`;
      case 'icontains':
        return `${lhs} ILIKE ${this.bind(`%${escapeLike(String(value))}%`)}`;
      case 'startswith':
        return `${lhs} LIKE ${this.bind(`${escapeLike(String(value))}%`)}`;
      case 'endswith':
        return `${lhs} LIKE ${this.bind(`%${escapeLike(String(value))}`)}`;
      case 'neq':
        return `${lhs} IS DISTINCT FROM ${this.bind(value)}${this.cast(definition)}`;
      default:
        return `${lhs} ${SQL_OPERATOR[op]} ${this.bind(value)}${this.cast(definition)}`;
    }
  }

  /** A datetime compared with a local day (`today`, `-7d`): `eq` = within that day in the zone. */
  private dayCompare(definition: FilterField, op: FilterOperator, day: string): string {
    const zone = knownZone(this.ctx.timezone);
    const start = (d: string) =>
      `(${this.bind(d)}::date::timestamp AT TIME ZONE ${this.bind(zone)}::text)`;
    const next = shiftDay(day, 1, 'd');
    switch (op) {
      case 'eq': {
        const lhs = this.lhs(definition);
        const from = start(day);
        const lhs2 = this.lhs(definition);
        return `(${lhs} >= ${from} AND ${lhs2} < ${start(next)})`;
      }
      case 'neq': {
        const lhs = this.lhs(definition);
        const lhs2 = this.lhs(definition);
        const from = start(day);
        const lhs3 = this.lhs(definition);
        return `(${lhs} IS NULL OR ${lhs2} < ${from} OR ${lhs3} >= ${start(next)})`;
      }
      case 'gt':
        return `${this.lhs(definition)} >= ${start(next)}`;
      case 'gte':
        return `${this.lhs(definition)} >= ${start(day)}`;
      case 'lt':
        return `${this.lhs(definition)} < ${start(day)}`;
      default:
        return `${this.lhs(definition)} < ${start(next)}`;
    }
  }
}

/** A real calendar day PostgreSQL accepts as a date (years 1–9999). */
function validDay(day: string): boolean {
  if (!DATE.test(day)) return false;
  const [y, m, d] = day.split('-').map(Number);
  if (y < 1 || y > 9999) return false;
  const date = new Date(Date.UTC(2000, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d && (m !== 2 || d < 29 || leap(y));
}

const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Parses a filter document: JSON text (≤ 8 KB, no NUL) or an already parsed value. */
export function parseFilterDocument(raw: unknown): unknown {
  if (typeof raw === 'string') {
    if (Buffer.byteLength(raw, 'utf8') > MAX_FILTER_BYTES) {
      throw new InvalidFilterError('', `filter must be at most ${MAX_FILTER_BYTES} bytes of JSON`);
    }
    if (raw.includes('\0'))
      throw new InvalidFilterError('', 'filter must not contain NUL characters');
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new InvalidFilterError('', 'filter is not valid JSON');
    }
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(raw);
  } catch {
    throw new InvalidFilterError('', 'filter is not a JSON value');
  }
  if (text === undefined) throw new InvalidFilterError('', 'filter is not a JSON value');
  if (Buffer.byteLength(text, 'utf8') > MAX_FILTER_BYTES) {
    throw new InvalidFilterError('', `filter must be at most ${MAX_FILTER_BYTES} bytes of JSON`);
  }
  return raw;
}

/**
 * Parses, checks and compiles a filter (issue 18's grammar) into SQL with `?` placeholders for
 * `Conditions.addFilter` — the caller keeps the tenant predicate outside it (ANDed).
 *
 * `raw`: the JSON text of `?filter=` or a parsed {@link FilterNode}. `resolve`: the list's
 * allow-list (field name → {@link FilterField}, e.g. `cf.<key>` from the custom-field catalog).
 * `ctx`: `@me` (uuid fields) is `ctx.userId`; `today`, `-7d`, `+3d`, `-2w`, `-1m` (date and
 * datetime fields) are days in `ctx.timezone` on `ctx.now` — on a datetime field `eq` means
 * "during that local day", `gt` "after it", `lte` "up to its end".
 *
 * Values are typed by the field: decimals compare as numerics, dates/datetimes are parsed
 * (years 1–9999), enum values checked, `string` values `normalizeName`d (stored normalised),
 * `in`/`notin` take 1–100 values, `isnull` a boolean, `contains`/`icontains`/`startswith`/
 * `endswith` only string/text fields (LIKE metacharacters escaped). `neq`/`notin` keep rows with
 * no value; on a relation path they mean "no related row matches". Limits: depth ≤ 4,
 * ≤ 50 conditions, ≤ 8 KB, strings ≤ 500 characters, no NUL.
 *
 * The SQL text holds only the fields' column expressions (from code), operators and `?`; every
 * client value (and JSONB key) is a parameter. Throws only {@link InvalidFilterError}
 * (422 `invalid_filter`, `meta.path` like `and[1].or[0].value`).
 */
export function compileFilter(
  raw: unknown,
  resolve: (field: string) => FilterField | undefined,
  ctx: FilterContext,
): CompiledFilter {
  const document = parseFilterDocument(raw);
  const compiler = new FilterCompiler(resolve, ctx);
  const sql = compiler.node(document, '', 0);
  return { sql, params: compiler.params, fields: compiler.fields };
}
