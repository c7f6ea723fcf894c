import type { FilterField } from '../../core/filters';
import type { FilterValue } from '../../core/http';
import { Conditions } from '../../core/database';
import { tagNameKey } from './tag-names';
import { tagNamesOf, taggedCondition } from './tags.repository';

/**
 * The `tags` field of the filter grammar (`?filter=`, contract section D) for a list of
 * `targetType` records whose id is `idColumn` (qualified, e.g. `products.id`): type `string[]`,
 * its value the record's tag names (folded-key order) from the same correlated sub-select the
 * list's SELECT uses. The organization is the record's own (`<table>.organization_id`).
 */
export function tagsFilterField(targetType: string, idColumn: string): FilterField {
  const orgColumn = idColumn.replace(/\.id$/, '.organization_id');
  return { type: 'string[]', column: tagNamesOf(targetType, idColumn, orgColumn) };
}

/**
 * Adds `?tag=` (the record carries every name) and `?tagAny=` (at least one) to a list's WHERE,
 * comparing folded keys (so `?tag=cafe` finds `Café`). Values are the `'names'` filter type's
 * (normalised, deduplicated names).
 */
export function addTagFilters(
  where: Conditions,
  targetType: string,
  idColumn: string,
  filters: { tag?: FilterValue; tagAny?: FilterValue },
): Conditions {
  const orgColumn = idColumn.replace(/\.id$/, '.organization_id');
  const keysOf = (value: FilterValue) => [
    ...new Set((value as string[]).map((name) => tagNameKey(name))),
  ];
  if (filters.tag !== undefined) {
    const keys = keysOf(filters.tag);
    where.add(taggedCondition(targetType, idColumn, orgColumn, 'all', keys.length), keys);
  }
  if (filters.tagAny !== undefined) {
    where.add(taggedCondition(targetType, idColumn, orgColumn, 'any', 0), keysOf(filters.tagAny));
  }
  return where;
}
