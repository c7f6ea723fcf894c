/** One custom field of an entity type as the filter grammar needs it (`cf.<key>`). */
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
 * The organization's custom field definitions, declared in core so the list grammar can resolve
 * `cf.<key>` without importing a module; implemented (and provided globally) by
 * `modules/custom-fields`.
 */
export abstract class CustomFieldCatalog {
  /** The organization's definitions for entityType (cached in-process, LocalCache-invalidated on change). */
  abstract definitions(orgId: string, entityType: string): Promise<CustomFieldDescriptor[]>;
}
