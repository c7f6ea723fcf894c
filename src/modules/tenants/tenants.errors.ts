import { defineErrors, failure } from '../../core/http';

/** The tenants module's error codes (README "Error codes"). */
export const TenantsErrors = defineErrors({
  confirmation_mismatch: failure(422, () => ({
    detail: 'confirm must be the tenant’s code, exactly as stored',
    source: { parameter: 'confirm' },
  })),
});
