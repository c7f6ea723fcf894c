import { StateMachine } from '../../core/state-machine';
import type { ProductStatus } from './product.entity';
import { ProductsErrors } from './products.errors';

/** The verbs of the product lifecycle (`POST /products/{id}/transitions {action}`). */
export const PRODUCT_ACTIONS = ['activate', 'discontinue', 'retire'] as const;
export type ProductAction = (typeof PRODUCT_ACTIONS)[number];

/**
 * The product lifecycle: draft → active → discontinued → end_of_life. A discontinued product may
 * be re-activated; end_of_life is final; nothing goes back to draft. The code-defined lifecycle
 * runs on the shared `StateMachine` helper (SPEC-P3 §7); PATCH `status` and the transitions
 * route both go through it.
 */
export const PRODUCT_LIFECYCLE = new StateMachine<ProductStatus, ProductAction>({
  states: ['draft', 'active', 'discontinued', 'end_of_life'],
  final: ['end_of_life'],
  transitions: [
    { action: 'activate', from: ['draft', 'discontinued'], to: 'active' },
    { action: 'discontinue', from: 'active', to: 'discontinued' },
    { action: 'retire', from: 'discontinued', to: 'end_of_life' },
  ],
});

/** The statuses each status may become (derived from {@link PRODUCT_LIFECYCLE}). */
export const PRODUCT_TRANSITIONS: Readonly<Record<ProductStatus, readonly ProductStatus[]>> = {
  draft: PRODUCT_LIFECYCLE.targets('draft'),
  active: PRODUCT_LIFECYCLE.targets('active'),
  discontinued: PRODUCT_LIFECYCLE.targets('discontinued'),
  end_of_life: PRODUCT_LIFECYCLE.targets('end_of_life'),
};

/** Throws 422 `invalid_transition` unless `from → to` is allowed (staying put is allowed). */
export function assertTransition(from: ProductStatus, to: ProductStatus): void {
  if (from === to || PRODUCT_TRANSITIONS[from].includes(to)) return;
  const allowed = PRODUCT_TRANSITIONS[from];
  throw ProductsErrors.invalid_transition(from, to, allowed);
}
