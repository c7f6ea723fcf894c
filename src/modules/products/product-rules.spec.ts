import { AppError, ValidationFailedError } from '../../core/http';
import type { ProductStatus } from './product.entity';
import { assertTransition, PRODUCT_TRANSITIONS, validateAttributes } from './product-rules';

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

describe('custom attributes', () => {
  const definitions = [
    { key: 'color', type: 'enum' as const, options: ['red', 'blue'], required: true },
    { key: 'weight', type: 'number' as const },
    { key: 'fragile', type: 'boolean' as const },
    { key: 'launch', type: 'date' as const },
    { key: 'a/b', type: 'string' as const },
  ];
  const issues = (attributes: Record<string, unknown>, defs = definitions) => {
    try {
      validateAttributes(attributes, defs);
      return [];
    } catch (error) {
      return (error as ValidationFailedError).issues.map((i) => i.pointer);
    }
  };

  it('accepts values of the defined types', () => {
    expect(
      issues({ color: 'red', weight: 1.5, fragile: false, launch: '2026-01-31', 'a/b': 'x' }),
    ).toEqual([]);
  });

  it('reports every unknown key, wrong type and missing required attribute', () => {
    expect(
      issues({ weight: '1.5', fragile: 'yes', launch: '31/01/2026', size: 'L', 'a/b': 3 }).sort(),
    ).toEqual(
      [
        '/attributes/weight',
        '/attributes/fragile',
        '/attributes/launch',
        '/attributes/size',
        '/attributes/a~1b',
        '/attributes/color',
      ].sort(),
    );
    expect(issues({ color: 'green' })).toEqual(['/attributes/color']);
  });

  it('without definitions accepts scalars only, at most 50', () => {
    expect(issues({ any: 'thing', n: 1, flag: true }, null as never)).toEqual([]);
    expect(issues({ nested: { no: 1 } }, null as never)).toEqual(['/attributes/nested']);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    expect(issues(many, null as never)).toEqual(['/attributes']);
  });
});
