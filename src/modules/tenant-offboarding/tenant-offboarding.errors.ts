import { defineErrors, failure } from '../../core/http';

/** The tenant-offboarding module's error codes (README "Error codes"). */
export const TenantOffboardingErrors = defineErrors({
  confirmation_mismatch: failure(422, () => ({
    detail: 'confirm must be the tenant’s code, exactly as stored',
    source: { parameter: 'confirm' },
  })),
});
