export * from './filter.types';
export { InvalidFilterError, StaleFilterError } from './filter.errors';
export {
  compileFilter,
  operatorsFor,
  parseFilterDocument,
  MAX_FILTER_BYTES,
  MAX_FILTER_CONDITIONS,
  MAX_FILTER_DEPTH,
  MAX_FILTER_IN_VALUES,
  MAX_FILTER_STRING,
} from './compile-filter';
export {
  CustomFieldCatalog,
  CustomFieldDescriptor,
  CUSTOM_FIELD_KEY,
  customFieldFilterField,
  customFieldSortExpression,
} from './custom-field-catalog';
export { SavedFilterSource, SavedFilterSpec } from './saved-filter-source';
export { localDay, resolveDateToken, shiftDay, usesDateToken } from './relative-date';
