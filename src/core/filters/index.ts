// Type-only stand-in for the filter grammar's public surface (issue 18, contract section A):
// exactly the contract's `FilterField`, so the tags module can declare its field before the
// `filters` branch lands. The integrator keeps the filters helper's version of this folder.

/** One filterable field of a list (the allow-list). */
export interface FilterField {
  type:
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
  /** SQL expression of the value, qualified with the list's table, e.g. `products.price`. */
  column: string;
  /** Relation path (e.g. `category.code`): the condition runs as EXISTS (SELECT 1 FROM <from> WHERE <join> AND <cond>). */
  relation?: { from: string; join: string };
  /** A value inside a JSONB document (custom fields): eq/in compile to `<column> @> {key: value}` (GIN), other ops to a typed `->>` extraction. */
  jsonb?: { column: string; key: string };
}
