import { defineErrors, rule } from '../../core/http';

/** The products module's error codes (README "Error codes"). */
export const ProductsErrors = defineErrors({
  /** `allowed`: the statuses `from` may become (empty: final). */
  invalid_transition: rule((from: string, to: string, allowed: readonly string[]) => ({
    detail:
      `A ${from} product cannot become ${to}` +
      (allowed.length ? `; it can become: ${allowed.join(', ')}` : '; it is final'),
    pointer: '/status',
    meta: { from, to, allowed },
  })),
  /** `POST /products/{id}/transitions`: no such action, or not from this status. */
  invalid_product_action: rule((action: string, from: string, available: readonly string[]) => ({
    detail:
      `A ${from} product cannot ${action}` +
      (available.length ? `; it can: ${available.join(', ')}` : '; it is final'),
    pointer: '/action',
    meta: { action, from, available },
  })),
  invalid_product: rule(() => ({
    detail: 'productId is not a product of yours',
    pointer: '/productId',
  })),
  /** `pointer`: the one of the pair that is missing. */
  price_currency_mismatch: rule((pointer: '/price' | '/currencyCode') => ({
    detail: 'A price needs a currency and a currency needs a price',
    pointer,
  })),
  invalid_currency: rule(() => ({
    detail: 'Unknown or inactive currency',
    pointer: '/currencyCode',
  })),
  invalid_uom: rule(() => ({
    detail: 'Unknown or inactive unit of measure',
    pointer: '/uomCode',
  })),
});
