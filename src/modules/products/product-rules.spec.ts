import { AppError } from '../../core/http';
import type { ProductStatus } from './product.entity';
import { assertTransition, PRODUCT_LIFECYCLE, PRODUCT_TRANSITIONS } from './product-rules';

const statuses = Object.keys(PRODUCT_TRANSITIONS) as ProductStatus[];

describe('product lifecycle', () => {
  const allowed = new Set([
    'draft>active',
    'active>discontinued',
    'discontinued>active',
    'discontinued>end_of_life',
  ]);

  it.each(statuses.flatMap((from) => statuses.map((to) => [from, to] as const)))(
    '%s → %s',
    (from, to) => {
      const attempt = () => assertTransition(from, to);
      if (from === to || allowed.has(`${from}>${to}`)) expect(attempt).not.toThrow();
      else {
        expect(attempt).toThrow(AppError);
        try {
          attempt();
        } catch (error) {
          expect(error).toMatchObject({ status: 422, code: 'invalid_transition' });
        }
      }
    },
  );
});

describe('product lifecycle machine', () => {
  it('offers the actions of each status', () => {
    const actions = (status: ProductStatus) =>
      PRODUCT_LIFECYCLE.availableActions(status, undefined).map((a) => `${a.action}>${a.to}`);
    expect(actions('draft')).toEqual(['activate>active']);
    expect(actions('active')).toEqual(['discontinue>discontinued']);
    expect(actions('discontinued')).toEqual(['activate>active', 'retire>end_of_life']);
    expect(actions('end_of_life')).toEqual([]);
  });
});
