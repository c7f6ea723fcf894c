import { compileFilter } from './compile-filter';
import { InvalidFilterError } from './filter.errors';
import type { FilterContext, FilterField } from './filter.types';
import { customFieldFilterField } from './custom-field-catalog';
import { resolveDateToken, shiftDay } from './relative-date';

const CATEGORY = { from: 'categories fc', join: 'fc.id = products.category_id' };
const FIELDS: Record<string, FilterField> = {
  name: { type: 'string', column: 'products.name' },
  description: { type: 'text', column: 'products.description' },
  price: { type: 'decimal', column: 'products.price' },
  qty: { type: 'int', column: 'products.qty' },
  active: { type: 'boolean', column: 'products.active' },
  ownerId: { type: 'uuid', column: 'products.owner_id' },
  status: { type: { enum: ['draft', 'active'] }, column: 'products.status' },
  due: { type: 'date', column: 'products.due' },
  createdAt: { type: 'datetime', column: 'products.created_at' },
  tags: { type: 'string[]', column: 'products.tags' },
  'category.name': { type: 'string', column: 'fc.name', relation: CATEGORY },
  'cf.colour': customFieldFilterField(
    { key: 'colour', type: 'select', options: ['red', 'blue'], isActive: true },
    'products.custom_fields',
  ),
  'cf.weight': customFieldFilterField(
    { key: 'weight', type: 'decimal', options: null, isActive: false },
    'products.custom_fields',
  ),
  'cf.sizes': customFieldFilterField(
    { key: 'sizes', type: 'multiselect', options: ['s', 'm'], isActive: true },
    'products.custom_fields',
  ),
};
const ME = '0190a8e2-0000-7000-8000-000000000001';
const CTX: FilterContext = {
  orgId: 'org',
  userId: ME,
  now: new Date('2026-03-31T23:30:00Z'),
  timezone: 'Europe/Paris',
};
const compile = (raw: unknown, ctx = CTX) => compileFilter(raw, (f) => FIELDS[f], ctx);
const failure = (raw: unknown): InvalidFilterError => {
  try {
    compile(raw);
  } catch (error) {
    if (error instanceof InvalidFilterError) return error;
    throw error;
  }
  throw new Error('compiled');
};

describe('compileFilter', () => {
  it('compiles a nested tree with every value a parameter', () => {
    const result = compile(
      JSON.stringify({
        and: [
          { field: 'price', op: 'gte', value: '10.5' },
          {
            or: [
              { field: 'name', op: 'icontains', value: ' 50%_off\\ ' },
              { not: { field: 'status', op: 'in', value: ['draft'] } },
            ],
          },
        ],
      }),
    );
    expect(result.sql).toBe(
      '(products.price >= ?::numeric AND (products.name ILIKE ? OR NOT COALESCE((products.status IN (?)), FALSE)))',
    );
    expect(result.params).toEqual(['10.5', '%50\\%\\_off\\\\%', 'draft']);
    expect(result.fields).toEqual(['price', 'name', 'status']);
  });

  it('types values: numbers as decimals, ints, booleans, dates, uuids (@me)', () => {
    expect(compile({ field: 'price', op: 'lt', value: 3 }).params).toEqual(['3']);
    expect(compile({ field: 'qty', op: 'eq', value: '42' }).params).toEqual([42]);
    expect(compile({ field: 'active', op: 'eq', value: true }).sql).toBe(
      'products.active = ?::boolean',
    );
    expect(compile({ field: 'ownerId', op: 'eq', value: '@me' }).params).toEqual([ME]);
    expect(compile({ field: 'due', op: 'lte', value: '2024-02-29' }).params).toEqual([
      '2024-02-29',
    ]);
    expect(
      compile({ field: 'createdAt', op: 'gt', value: '2026-01-01T10:00:00+02:00' }).params,
    ).toEqual(['2026-01-01T08:00:00.000Z']);
    expect(compile({ field: 'name', op: 'eq', value: 'Cafe\u0301\u200b  x ' }).params).toEqual([
      'Café x',
    ]);
  });

  it('resolves date tokens in the context time zone', () => {
    // 23:30 UTC on 31 March is 1 April in Paris.
    expect(compile({ field: 'due', op: 'eq', value: 'today' }).params).toEqual(['2026-04-01']);
    expect(compile({ field: 'due', op: 'gte', value: '-7d' }).params).toEqual(['2026-03-25']);
    expect(resolveDateToken('-1m', CTX.now, 'UTC')).toBe('2026-02-28');
    expect(resolveDateToken('+2w', CTX.now, 'UTC')).toBe('2026-04-14');
    expect(resolveDateToken('today', CTX.now, 'No/Such_Zone')).toBe('2026-03-31');
    expect(shiftDay('2024-03-31', -1, 'm')).toBe('2024-02-29');
    const day = compile({ field: 'createdAt', op: 'eq', value: 'today' });
    expect(day.sql).toBe(
      '(products.created_at >= (?::date::timestamp AT TIME ZONE ?::text) AND products.created_at < (?::date::timestamp AT TIME ZONE ?::text))',
    );
    expect(day.params).toEqual(['2026-04-01', 'Europe/Paris', '2026-04-02', 'Europe/Paris']);
  });

  it('compiles relation paths as EXISTS and negations as NOT EXISTS', () => {
    expect(compile({ field: 'category.name', op: 'eq', value: 'Tea' }).sql).toBe(
      'EXISTS (SELECT 1 FROM categories fc WHERE fc.id = products.category_id AND fc.name = ?)',
    );
    expect(compile({ field: 'category.name', op: 'neq', value: 'Tea' }).sql).toBe(
      'NOT EXISTS (SELECT 1 FROM categories fc WHERE fc.id = products.category_id AND fc.name = ?)',
    );
    expect(compile({ field: 'category.name', op: 'isnull', value: true }).sql).toBe(
      'NOT EXISTS (SELECT 1 FROM categories fc WHERE fc.id = products.category_id AND fc.name IS NOT NULL)',
    );
  });

  it('compiles custom fields to JSONB containment for eq/in and typed extraction otherwise', () => {
    const eq = compile({ field: 'cf.colour', op: 'in', value: ['red', 'blue'] });
    expect(eq.sql).toBe(
      '(products.custom_fields @> ?::jsonb OR products.custom_fields @> ?::jsonb)',
    );
    expect(eq.params).toEqual(['{"colour":"red"}', '{"colour":"blue"}']);
    const multi = compile({ field: 'cf.sizes', op: 'eq', value: 'm' });
    expect(multi.params).toEqual(['{"sizes":["m"]}']);
    const gt = compile({ field: 'cf.weight', op: 'gt', value: '2.5' });
    expect(gt.sql).toContain('->> ?');
    expect(gt.params).toEqual(['weight', 'weight', '2.5']);
    expect(failure({ field: 'cf.colour', op: 'eq', value: 'green' }).path).toBe('value');
  });

  it('compiles string arrays with ANY / overlap', () => {
    expect(compile({ field: 'tags', op: 'eq', value: 'x' }).sql).toBe('? = ANY(products.tags)');
    expect(compile({ field: 'tags', op: 'in', value: ['x', 'y'] }).params).toEqual([['x', 'y']]);
  });

  it.each([
    ['bad JSON', '{"field":', ''],
    ['a non-object root', '[1]', ''],
    ['an unknown field', { field: 'secret', op: 'eq', value: 1 }, 'field'],
    ['an unknown operator', { field: 'name', op: 'like', value: 'x' }, 'op'],
    ['a string operator on a number', { field: 'price', op: 'contains', value: '1' }, 'op'],
    ['a bad decimal', { field: 'price', op: 'eq', value: '1e5' }, 'value'],
    ['an impossible date', { field: 'due', op: 'eq', value: '2026-02-30' }, 'value'],
    ['year zero', { field: 'due', op: 'eq', value: '0000-01-01' }, 'value'],
    // Review 2026-12-01: a datetime rolled 02-30 over to March 2 instead of refusing it.
    ['an impossible datetime day', { field: 'createdAt', op: 'gt', value: '2026-02-30' }, 'value'],
    [
      'an impossible timestamp',
      { field: 'createdAt', op: 'gt', value: '2026-04-31T10:00:00Z' },
      'value',
    ],
    ['an enum outsider', { field: 'status', op: 'eq', value: 'gone' }, 'value'],
    ['isnull without a boolean', { field: 'name', op: 'isnull', value: 'yes' }, 'value'],
    ['an empty in', { field: 'name', op: 'in', value: [] }, 'value'],
    [
      '101 in values',
      { field: 'qty', op: 'in', value: Array.from({ length: 101 }, (_, i) => i) },
      'value',
    ],
    ['a NUL', { and: [{ field: 'name', op: 'eq', value: 'a\u0000b' }] }, 'and[0].value'],
    ['an extra key', { field: 'name', op: 'eq', value: 'a', sql: 'x' }, 'sql'],
    ['an empty and', { and: [] }, 'and'],
    ['and with another key', { and: [{ field: 'name', op: 'eq', value: 'a' }], or: [] }, 'or'],
  ])('refuses %s', (_, raw, path) => {
    const error = failure(raw);
    expect(error.path).toBe(path);
    expect(error.toErrorObjects()[0]).toMatchObject({
      status: '422',
      code: 'invalid_filter',
      source: { parameter: 'filter' },
      meta: { path },
    });
  });

  it('reads a timestamp without an offset as UTC, like a date alone', () => {
    expect(compile({ field: 'createdAt', op: 'gt', value: '2026-01-01T10:00' }).params).toEqual([
      '2026-01-01T10:00:00.000Z',
    ]);
    expect(compile({ field: 'createdAt', op: 'gt', value: '2026-01-01' }).params).toEqual([
      '2026-01-01T00:00:00.000Z',
    ]);
  });

  it('limits depth to 4, conditions to 50, size to 8 KB', () => {
    const leaf = { field: 'name', op: 'eq', value: 'a' };
    let four: unknown = leaf;
    for (let i = 0; i < 4; i++) four = { and: [four] };
    expect(() => compile(four)).not.toThrow();
    expect(failure({ or: [four] }).path).toBe('or[0].and[0].and[0].and[0].and');
    const fifty = { or: Array.from({ length: 50 }, () => leaf) };
    expect(() => compile(fifty)).not.toThrow();
    expect(failure({ and: [fifty, leaf] }).path).toBe('and[1]');
    expect(failure({ or: [...fifty.or, leaf] }).path).toBe('or');
    expect(failure(JSON.stringify({ field: 'name', op: 'eq', value: 'x'.repeat(8200) })).path).toBe(
      '',
    );
  });

  it('needs a user for @me', () => {
    expect(() =>
      compile({ field: 'ownerId', op: 'eq', value: '@me' }, { ...CTX, userId: null }),
    ).toThrow(InvalidFilterError);
  });
});
