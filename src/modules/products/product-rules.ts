import type { ProductStatus } from './product.entity';
import { ProductsErrors } from './products.errors';

/**
 * The product lifecycle: draft → active → discontinued → end_of_life. A discontinued product may
 * be re-activated; end_of_life is final; nothing goes back to draft.
 */
export const PRODUCT_TRANSITIONS: Readonly<Record<ProductStatus, readonly ProductStatus[]>> = {
  draft: ['active'],
  active: ['discontinued'],
  discontinued: ['active', 'end_of_life'],
  end_of_life: [],
};

/** Throws 422 `invalid_transition` unless `from → to` is allowed (staying put is allowed). */
export function assertTransition(from: ProductStatus, to: ProductStatus): void {
  if (from === to || PRODUCT_TRANSITIONS[from].includes(to)) return;
  const allowed = PRODUCT_TRANSITIONS[from];
  throw ProductsErrors.invalid_transition(from, to, allowed);
}
