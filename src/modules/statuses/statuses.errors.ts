import { conflict, defineErrors, forbidden, rule } from '../../core/http';

/** The statuses module's error codes (README "Error codes"). */
export const StatusesErrors = defineErrors({
  status_in_use: conflict((code: string, entityTypes: string[]) => ({
    detail: `Status ${code} is used by ${entityTypes.join(', ')} records; deactivate it instead`,
    meta: { code, entityTypes },
  })),
  system_status_read_only: forbidden((code: string) => ({
    detail: `Status ${code} is a system status: it cannot be changed or deleted`,
    meta: { code },
  })),
  code_taken: conflict((code: string) => ({
    detail: `A status with code ${code} already applies to this entity type`,
    field: 'code',
    meta: { code },
  })),
  unknown_entity_type: rule((entityType: string) => ({
    detail: `${entityType} is not an entity type statuses can apply to`,
    pointer: '/entityType',
    meta: { entityType },
  })),
  inactive_default: rule(() => ({
    detail: 'A default status must be active',
    pointer: '/isDefault',
  })),
});
