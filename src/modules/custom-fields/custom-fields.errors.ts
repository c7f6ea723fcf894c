import { conflict, defineErrors, fieldIssues, rule } from '../../core/http';

/** The custom-fields module's error codes (README "Error codes"). */
export const CustomFieldsErrors = defineErrors({
  unknown_entity_type: rule((entityType: string, allowed: string[]) => ({
    detail: `Custom fields cannot be defined for "${entityType}"; allowed: ${allowed.join(', ')}`,
    pointer: '/entityType',
    meta: { allowed },
  })),
  too_many_custom_fields: rule((max: number) => ({
    detail: `An entity type has at most ${max} custom fields`,
    pointer: '/entityType',
    meta: { max },
  })),
  custom_field_key_taken: conflict((key: string) => ({
    detail: `The key "${key}" is already defined for this entity type`,
    field: 'key',
  })),
  custom_field_in_use: conflict((key: string) => ({
    detail: `Records hold values for "${key}": deactivate it (PATCH isActive=false) instead of deleting it`,
    meta: { key },
  })),
  /**
   * Rules across a definition's fields that its JSON schema cannot state — options only for
   * select/multiselect (1–100, distinct after folding), min/max only for text length, numbers and
   * dates (min ≤ max), pattern only for text (a safe subset): one error object per problem, each
   * with its pointer. Schema-level problems stay core's `validation_error`.
   */
  invalid_custom_field_definition: fieldIssues(),
  custom_field_type_locked: conflict((key: string) => ({
    detail: `Records hold values for "${key}": its type can no longer change`,
    field: 'type',
    meta: { key },
  })),
});
