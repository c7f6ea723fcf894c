/** The operators of the filter grammar (issue 18). */
export const FILTER_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'notin',
  'contains',
  'icontains',
  'startswith',
  'endswith',
  'isnull',
] as const;

export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** The JSON of `?filter=`: {"and":[…]}, {"or":[…]}, {"not":{…}}, {"field":"price","op":"gte","value":"10"} */
export type FilterNode =
  | { and: FilterNode[] }
  | { or: FilterNode[] }
  | { not: FilterNode }
  | { field: string; op: FilterOperator; value?: unknown };

/** The value types a filter field may have. `string` columns are stored normalised (`normalizeName`); `text` is free text. */
export type FilterFieldType =
  | 'string'
  | 'text'
  | 'uuid'
  | 'boolean'
  | 'int'
  | 'decimal'
  | 'date'
  | 'datetime'
  | { enum: readonly string[] }
  | 'string[]';

/** One filterable field of a list (the allow-list). */
export interface FilterField {
  type: FilterFieldType;
  /** SQL expression of the value, qualified with the list's table, e.g. `products.price` (code only). */
  column: string;
  /**
   * Relation path (e.g. `category.code`): the condition runs as
   * `EXISTS (SELECT 1 FROM <from> WHERE <join> AND <cond>)`; `column` then names the related table.
   */
  relation?: { from: string; join: string };
  /**
   * A value inside a JSONB document (custom fields): eq/in compile to `<column> @> {key: value}`
   * (GIN), other ops to a typed `->>` extraction. The key is always a bound value.
   */
  jsonb?: { column: string; key: string };
  /** `string[]` fields: the values an element may take (custom multiselect options); any when absent. */
  values?: readonly string[];
}

/** The values tokens resolve against. `@me` = userId, `today` = date in `timezone`, `-7d`/`+3d`/`-2w`/`-1m` relative to today. */
export interface FilterContext {
  orgId: string;
  userId: string | null;
  now: Date;
  /** IANA zone, e.g. `Europe/Paris` (an unknown zone counts as UTC). */
  timezone: string;
}

/** A checked, compiled filter: SQL with `?` placeholders (for `Conditions.add`) and its values. */
export interface CompiledFilter {
  sql: string;
  params: unknown[];
  /** The distinct field names the filter uses (in order of first use). */
  fields: string[];
}
