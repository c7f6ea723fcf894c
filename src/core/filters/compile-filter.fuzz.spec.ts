import fc from 'fast-check';
import { compileFilter } from './compile-filter';
import { customFieldFilterField } from './custom-field-catalog';
import { InvalidFilterError } from './filter.errors';
import { FILTER_OPERATORS, FilterContext, FilterField } from './filter.types';

/**
 * Fuzz of the grammar (issue 18's target): random trees of random shapes, hostile strings, deep
 * nesting and huge arrays either compile or fail with InvalidFilterError — nothing else — and
 * the SQL text holds only whitelisted column expressions, operators and `?` placeholders.
 */
const REL = {
  from: 'categories fc',
  join: 'fc.id = products.category_id AND fc.organization_id = products.organization_id',
};
const FIELDS: Record<string, FilterField> = {
  name: { type: 'string', column: 'products.name' },
  notes: { type: 'text', column: 'products.notes' },
  price: { type: 'decimal', column: 'products.price' },
  qty: { type: 'int', column: 'products.qty' },
  active: { type: 'boolean', column: 'products.active' },
  ownerId: { type: 'uuid', column: 'products.owner_id' },
  status: { type: { enum: ['draft', 'active'] }, column: 'products.status' },
  due: { type: 'date', column: 'products.due' },
  createdAt: { type: 'datetime', column: 'products.created_at' },
  tags: { type: 'string[]', column: 'products.tags' },
  'category.name': { type: 'string', column: 'fc.name', relation: REL },
  'cf.colour': customFieldFilterField(
    { key: 'colour', type: 'select', options: ['red', "bl'ue"], isActive: true },
    'products.custom_fields',
  ),
  'cf.weight': customFieldFilterField(
    { key: 'weight', type: 'number', options: null, isActive: true },
    'products.custom_fields',
  ),
  'cf.when': customFieldFilterField(
    { key: 'when', type: 'datetime', options: null, isActive: true },
    'products.custom_fields',
  ),
  'cf.note': customFieldFilterField(
    { key: 'note', type: 'text', options: null, isActive: true },
    'products.custom_fields',
  ),
};
const CTX: FilterContext = {
  orgId: 'o',
  userId: '0190a8e2-0000-7000-8000-000000000001',
  now: new Date('2026-06-15T12:00:00Z'),
  timezone: 'America/New_York',
};

/** SQL that may appear: the fields' expressions and the compiler's own constant fragments. */
const KNOWN_FRAGMENTS = [
  ...Object.values(FIELDS).flatMap((f) => [
    f.column,
    f.relation?.from,
    f.relation?.join,
    f.jsonb?.column,
  ]),
  "'^-{0,1}[0-9]{1,30}([.][0-9]{1,30}){0,1}$'",
  "'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}'",
  "('null'::jsonb, '[]'::jsonb, '\"\"'::jsonb)",
]
  .filter((s): s is string => !!s)
  .sort((a, b) => b.length - a.length);
const TOKENS = new Set([
  ...'AND OR NOT COALESCE FALSE TRUE IS NULL DISTINCT FROM IN LIKE ILIKE EXISTS SELECT 1 WHERE ANY CASE WHEN THEN END AT TIME ZONE cardinality 0'.split(
    ' ',
  ),
  ...'= <> > >= < <= && @> ->> -> ~ ?'.split(' '),
]);

function assertWhitelisted(sql: string): void {
  let rest = sql;
  for (const fragment of KNOWN_FRAGMENTS) rest = rest.split(fragment).join(' ');
  rest = rest.replace(/::[a-z_]+(\[\])?/g, ' ');
  for (const token of rest.split(/[\s(),]+/).filter(Boolean)) {
    if (!TOKENS.has(token))
      throw new Error(`unexpected SQL token ${JSON.stringify(token)} in ${sql}`);
  }
}

const hostile = fc.oneof(
  fc.constantFrom(
    "'; DROP TABLE products; --",
    '%_\\',
    'a\u0000b',
    '\u0000',
    'Cafe\u0301',
    'раураl', // Cyrillic look-alikes
    '\u200b\u200d',
    '\ud800',
    '?',
    '$1',
    '@me',
    'today',
    '-7d',
    '+9999m',
    '-9999m',
    '0000-01-01',
    '9999-12-31T23:59:59-14:00',
    '2026-02-29',
    '1e309',
    '-0',
    'NaN',
    '__proto__',
    'constructor',
    'cf.',
    'cf.colour',
    "bl'ue",
    '',
    ' ',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ minLength: 490, maxLength: 520 }),
);
const value = fc.oneof(
  hostile,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.uuid(),
  fc.array(fc.oneof(hostile, fc.integer(), fc.boolean()), { maxLength: 120 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);
const field = fc.oneof(fc.constantFrom(...Object.keys(FIELDS)), hostile);
const op = fc.oneof(fc.constantFrom(...FILTER_OPERATORS), hostile);
const leaf = fc.oneof(
  fc.record({ field, op, value }),
  fc.record({ field, op }),
  fc.record({ field, op, value, extra: value }),
  value,
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ and: fc.array(tie('tree'), { maxLength: 6 }) }),
    fc.record({ or: fc.array(tie('tree'), { maxLength: 6 }) }),
    fc.record({ not: tie('tree') }),
    fc.record({ and: fc.array(tie('tree')), or: fc.array(tie('tree')) }),
  ),
}));

const resolve = (name: string) =>
  Object.prototype.hasOwnProperty.call(FIELDS, name) ? FIELDS[name] : undefined;

function check(raw: unknown): void {
  let compiled;
  try {
    compiled = compileFilter(raw, resolve, CTX);
  } catch (error) {
    if (!(error instanceof InvalidFilterError)) throw error;
    expect(typeof error.path).toBe('string');
    return;
  }
  assertWhitelisted(compiled.sql);
  expect(compiled.sql.split('?').length - 1).toBe(compiled.params.length);
}

describe('compileFilter fuzz', () => {
  it('random trees: a compiled whitelisted filter or InvalidFilterError, as object and as JSON', () => {
    fc.assert(
      fc.property(tree, (raw) => {
        check(raw);
        check(JSON.stringify(raw));
      }),
      { numRuns: 800 },
    );
  });

  it('random JSON text and deep nesting never escape the grammar', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.integer({ min: 0, max: 3000 }),
        (text, depth) => {
          check(text);
          check(
            '{"not":'.repeat(depth) + '{"field":"name","op":"eq","value":"x"}' + '}'.repeat(depth),
          );
          check('['.repeat(depth) + ']'.repeat(depth));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('well-formed random conditions on every field compile (valid values are accepted)', () => {
    const valid = fc.oneof(
      fc.record({
        field: fc.constant('price'),
        op: fc.constantFrom('eq', 'gt', 'lte'),
        value: fc.integer({ min: -1e6, max: 1e6 }).map(String),
      }),
      fc.record({
        field: fc.constant('name'),
        op: fc.constantFrom('eq', 'contains', 'icontains', 'startswith', 'endswith'),
        value: fc.string({ maxLength: 50 }).filter((s) => !s.includes('\0')),
      }),
      fc.record({
        field: fc.constant('due'),
        op: fc.constantFrom('eq', 'gte'),
        value: fc.constantFrom('today', '-7d', '+2w', '-1m', '2026-01-31'),
      }),
      fc.record({
        field: fc.constant('createdAt'),
        op: fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte'),
        value: fc.constantFrom('today', '-3d', '2026-01-31T10:00:00Z'),
      }),
      fc.record({
        field: fc.constant('cf.weight'),
        op: fc.constantFrom('eq', 'gt', 'isnull'),
        value: fc.constant('1.5'),
      }),
    );
    fc.assert(
      fc.property(fc.array(valid, { minLength: 1, maxLength: 50 }), (conditions) => {
        const normalised = conditions.map((c) => (c.op === 'isnull' ? { ...c, value: true } : c));
        const compiled = compileFilter({ or: normalised }, resolve, CTX);
        assertWhitelisted(compiled.sql);
      }),
      { numRuns: 300 },
    );
  });
});
