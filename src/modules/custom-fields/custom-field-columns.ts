import type { CustomFieldRule } from './custom-field-rules';

/** Import/export columns of custom fields are named `cf.<key>`. */
export const CF_PREFIX = 'cf.';
/** Multiselect values share one cell, separated by `|` (options cannot contain it). */
export const VALUE_SEPARATOR = '|';
const NUMBER_CELL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** The `cf.<key>` columns of an import/export: every active definition, in position order. */
export function customFieldColumns(rules: readonly CustomFieldRule[]): string[] {
  return rules.filter((r) => r.isActive).map((r) => `${CF_PREFIX}${r.key}`);
}

/**
 * A cell as the value the API would receive (`undefined`: empty cell, nothing written). Only the
 * spelling changes: numbers and booleans are parsed, multiselect cells split on `|`; a cell that
 * does not parse is passed through as text, so the value rules report it as the API would.
 */
export function cellToValue(rule: CustomFieldRule, cell: string | undefined): unknown {
  if (cell === undefined || cell.trim() === '') return undefined;
  // Text keeps its spaces (an export re-imports unchanged); other types are trimmed.
  const text = rule.type === 'text' ? cell : cell.trim();
  switch (rule.type) {
    case 'number':
      return NUMBER_CELL.test(text) ? Number(text) : text;
    case 'boolean':
      return text.toLowerCase() === 'true' ? true : text.toLowerCase() === 'false' ? false : text;
    case 'multiselect':
      return text.split(VALUE_SEPARATOR).map((v) => v.trim());
    default:
      return text;
  }
}

/**
 * The export cell of `values[key]` (the inverse of {@link cellToValue}); absent → ''. Own keys
 * only: `constructor` is not read off the prototype.
 */
export function valueToCell(values: Record<string, unknown>, key: string): string {
  const value = Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(VALUE_SEPARATOR);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}
