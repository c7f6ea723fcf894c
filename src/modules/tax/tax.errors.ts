import { defineErrors, notFound, rule } from '../../core/http';

/** The tax module's error codes (README "Error codes"): jurisdictions, categories and rates. */
export const TaxErrors = defineErrors({
  invalid_parent: rule(() => ({
    detail: 'parentId is not a jurisdiction of yours',
    pointer: '/parentId',
  })),
  invalid_range: rule(() => ({ detail: 'validTo must be after validFrom', pointer: '/validTo' })),
  /** `pointer`: the reference field, e.g. `/jurisdictionId`. */
  invalid_reference: rule((pointer: string) => ({
    detail: `${pointer.slice(1)} is not one of yours`,
    pointer,
  })),
  no_tax_rate: notFound(() => 'Tax rate in force on that date'),
});
