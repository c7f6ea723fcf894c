import {
  conflict,
  defineErrors,
  ErrorObject,
  FieldIssue,
  rule,
  ValidationFailedError,
} from '../../core/http';

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
  invalid_custom_field_definition: rule((issues: FieldIssue[]) => ({
    detail: issues.map((i) => i.detail).join('; '),
    pointer: issues[0]?.pointer,
  })),
  custom_field_type_locked: conflict((key: string) => ({
    detail: `Records hold values for "${key}": its type can no longer change`,
    field: 'type',
    meta: { key },
  })),
});

/**
 * 422 `invalid_custom_field_definition`, one error object per issue (each with its pointer): the
 * rules across the fields of a definition that its JSON schema cannot state — options only for
 * select/multiselect (1–100, distinct after folding), min/max only for text length, numbers and
 * dates (min ≤ max), pattern only for text (a safe subset). Schema-level problems stay core's
 * `validation_error`.
 */
export class InvalidCustomFieldDefinitionError extends ValidationFailedError {
  override toErrorObjects(): ErrorObject[] {
    return super
      .toErrorObjects()
      .map((object) => ({ ...object, code: 'invalid_custom_field_definition' }));
  }
}
