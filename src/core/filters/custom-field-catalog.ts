import type { FilterField } from './filter.types';

/** One custom field definition as the filter grammar needs it (from the custom-fields module). */
export interface CustomFieldDescriptor {
  key: string;
  type:
    | 'text'
    | 'number'
    | 'decimal'
    | 'boolean'
    | 'date'
    | 'datetime'
    | 'select'
    | 'multiselect'
    | 'user'
    | 'url';
  options: string[] | null;
  isActive: boolean;
}

/**
 * The organizations' custom field definitions, implemented (as a global provider) by the
 * custom-fields module. Optional: while no provider is registered, `cf.<key>` is an unknown field.
 */
export abstract class CustomFieldCatalog {
  /** The organization's definitions for entityType (cached in-process, LocalCache-invalidated on change). */
  abstract definitions(orgId: string, entityType: string): Promise<CustomFieldDescriptor[]>;
}

/** What a custom field key may look like in SQL-facing places (sort expressions embed it). */
export const CUSTOM_FIELD_KEY = /^[a-z][a-z0-9_]{0,49}$/;

/**
 * The filter field of `cf.<key>`: the value at `key` in the JSONB document `column`
 * (e.g. `products.custom_fields`). Deactivated definitions stay filterable.
 */
export function customFieldFilterField(
  descriptor: CustomFieldDescriptor,
  column: string,
): FilterField {
  const jsonb = { column, key: descriptor.key };
  const options = descriptor.options ?? [];
  switch (descriptor.type) {
    case 'number':
    case 'decimal':
      return { type: 'decimal', column, jsonb };
    case 'boolean':
      return { type: 'boolean', column, jsonb };
    case 'date':
      return { type: 'date', column, jsonb };
    case 'datetime':
      return { type: 'datetime', column, jsonb };
    case 'select':
      return { type: { enum: options }, column, jsonb };
    case 'multiselect':
      return { type: 'string[]', column, jsonb, values: options };
    case 'user':
      return { type: 'uuid', column, jsonb };
    default:
      return { type: 'text', column, jsonb };
  }
}

/**
 * SQL sorting by `cf.<key>` of `column` (key checked against {@link CUSTOM_FIELD_KEY}, so it can
 * be a literal): numbers as numeric, others as text; missing values sort last ascending.
 */
export function customFieldSortExpression(
  descriptor: CustomFieldDescriptor,
  column: string,
): { expression: string; type: 'numeric' | 'text' } {
  if (!CUSTOM_FIELD_KEY.test(descriptor.key))
    throw new Error(`unsafe custom field key ${descriptor.key}`);
  const text = `(${column} ->> '${descriptor.key}')`;
  if (descriptor.type === 'number' || descriptor.type === 'decimal') {
    return {
      expression: `(CASE WHEN ${text} ~ '^-{0,1}[0-9]{1,30}([.][0-9]{1,30}){0,1}$' THEN ${text}::numeric END)`,
      type: 'numeric',
    };
  }
  return { expression: text, type: 'text' };
}
