import {
  checkDefinition,
  checkValue,
  checkValues,
  CustomFieldRule,
  parseDate,
  parseDateTime,
  parseDecimal,
  patternProblem,
  testPattern,
} from './custom-field-rules';
import { cellToValue, customFieldColumns, valueToCell } from './custom-field-columns';

const rule = (over: Partial<CustomFieldRule>): CustomFieldRule => ({
  key: 'f',
  type: 'text',
  required: false,
  options: null,
  min: null,
  max: null,
  pattern: null,
  isActive: true,
  ...over,
});
const ok = (r: CustomFieldRule, value: unknown) => {
  const out = checkValue(r, value);
  if ('detail' in out) throw new Error(`refused ${JSON.stringify(value)}: ${out.detail}`);
  return out.value;
};
const refused = (r: CustomFieldRule, value: unknown) => 'detail' in checkValue(r, value);

describe('custom field values, per type', () => {
  it('text: NFC, control characters, default and defined lengths, pattern', () => {
    const text = rule({ type: 'text' });
    expect(ok(text, 'Cafe\u0301')).toBe('Café');
    expect(ok(text, 'two\nlines\tok')).toBe('two\nlines\tok');
    expect(refused(text, 'nul\u0000byte')).toBe(true);
    expect(refused(text, '\u001b[31m')).toBe(true);
    expect(refused(text, 'x'.repeat(1001))).toBe(true); // default max 1000
    expect(ok(text, 'x'.repeat(1000))).toHaveLength(1000);
    expect(refused(text, 'x'.repeat(5_000_000))).toBe(true);
    expect(refused(text, 42)).toBe(true);
    expect(refused(text, ['a'])).toBe(true);
    const bounded = rule({ type: 'text', min: '2', max: '3' });
    expect(refused(bounded, 'a')).toBe(true);
    expect(ok(bounded, '😀😀')).toBe('😀😀'); // code points, not UTF-16 units
    expect(refused(bounded, 'abcd')).toBe(true);
    const code = rule({ type: 'text', pattern: '^[A-Z]{2}-\\d{3}$' });
    expect(ok(code, 'AB-123')).toBe('AB-123');
    expect(refused(code, 'ab-123')).toBe(true);
  });

  it('number: finite JSON numbers within ±1e15, bounds', () => {
    const n = rule({ type: 'number', min: '-5', max: '10.5' });
    expect(ok(n, 3)).toBe(3);
    expect(ok(n, -0)).toBe(0);
    expect(ok(n, 10.5)).toBe(10.5);
    expect(refused(n, 10.6)).toBe(true);
    expect(refused(n, -6)).toBe(true);
    const any = rule({ type: 'number' });
    for (const bad of [
      Infinity,
      -Infinity,
      NaN,
      JSON.parse('1e309') as number,
      1e16,
      '3',
      'NaN',
      null,
      true,
      {},
    ])
      expect(refused(any, bad)).toBe(true);
    expect(ok(any, 1e-7)).toBe(1e-7);
  });

  it('decimal: canonical strings, ≤ 15 digits and 6 decimals, exact bounds', () => {
    const d = rule({ type: 'decimal', min: '0.01', max: '999999999999999.999999' });
    expect(ok(d, '007.50')).toBe('7.5');
    expect(ok(d, 12.25)).toBe('12.25');
    expect(ok(d, '999999999999999.999999')).toBe('999999999999999.999999');
    expect(refused(d, '0.001')).toBe(true);
    expect(refused(d, '1e3')).toBe(true);
    expect(refused(d, '1,5')).toBe(true);
    expect(refused(d, '1234567890123456')).toBe(true);
    expect(refused(d, 'NaN')).toBe(true);
    expect(refused(d, ' 1')).toBe(true);
    expect(parseDecimal('-0.000')).toBe('0');
    expect(parseDecimal('-00.10')).toBe('-0.1');
  });

  it('boolean: only true and false', () => {
    const b = rule({ type: 'boolean' });
    expect(ok(b, false)).toBe(false);
    for (const bad of ['true', 1, 0, null, 'yes']) expect(refused(b, bad)).toBe(true);
  });

  it('date: real calendar days only', () => {
    const d = rule({ type: 'date', min: '2020-01-01' });
    expect(ok(d, '2024-02-29')).toBe('2024-02-29');
    for (const bad of [
      '2026-02-30',
      '2025-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-1-1',
      '2026-01-01T00:00:00Z',
      '0000-01-01',
      '2019-12-31', // below min
      20260101,
    ])
      expect(refused(d, bad)).toBe(true);
    expect(parseDate('1900-02-29')).toBeUndefined(); // not a leap year
    expect(parseDate('2000-02-29')).toBe('2000-02-29');
  });

  it('datetime: ISO 8601 with an offset, normalised to UTC', () => {
    const dt = rule({ type: 'datetime', max: '2030-01-01T00:00:00.000Z' });
    expect(ok(dt, '2026-03-01T10:00:00+02:00')).toBe('2026-03-01T08:00:00.000Z');
    expect(ok(dt, '2026-03-01T10:00Z')).toBe('2026-03-01T10:00:00.000Z');
    for (const bad of [
      '2026-02-30T10:00:00Z',
      '2026-03-01T10:00:00', // no offset: ambiguous
      '2026-03-01T24:00:00Z',
      '2026-03-01T10:60:00Z',
      '2031-01-01T00:00:00Z', // above max
      'yesterday',
      1700000000000,
    ])
      expect(refused(dt, bad)).toBe(true);
    expect(parseDateTime('2026-03-01T10:00:00.123456-05:30')).toBe('2026-03-01T15:30:00.123Z');
  });

  it('select: exact options after name normalisation; look-alikes are other strings', () => {
    const s = rule({ type: 'select', options: ['Red', 'Green'] });
    expect(ok(s, 'Red')).toBe('Red');
    expect(ok(s, ' Red\u200b ')).toBe('Red');
    for (const bad of ['red', 'R\u0435d' /* Cyrillic e */, 'Ｒｅｄ' /* fullwidth */, ['Red'], 1])
      expect(refused(s, bad)).toBe(true);
  });

  it('multiselect: a list of options, de-duplicated, never more than the options', () => {
    const m = rule({ type: 'multiselect', options: ['a', 'b', 'c'] });
    expect(ok(m, ['b', 'a', 'b'])).toEqual(['b', 'a']);
    expect(ok(m, [])).toEqual([]);
    expect(refused(m, 'a')).toBe(true);
    expect(refused(m, ['a', 'z'])).toBe(true);
    expect(refused(m, ['a', 1])).toBe(true);
    expect(refused(m, ['a', 'a', 'a', 'a'])).toBe(true); // longer than the options
  });

  it('user: a uuid (membership is the service’s check)', () => {
    const u = rule({ type: 'user' });
    expect(ok(u, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')).toBe(
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    );
    expect(refused(u, 'not-a-uuid')).toBe(true);
    expect(refused(u, 7)).toBe(true);
  });

  it('url: http(s) only, no whitespace or control characters, bounded', () => {
    const u = rule({ type: 'url' });
    expect(ok(u, 'https://example.com/a?b=c')).toBe('https://example.com/a?b=c');
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,x',
      'ftp://example.com',
      'https://exa mple.com',
      'https://example.com/\u0000',
      'example.com',
      `https://example.com/${'a'.repeat(3000)}`,
      '',
    ])
      expect(refused(u, bad)).toBe(true);
  });
});

describe('checkValues (a write of a record’s custom fields)', () => {
  const rules = [
    rule({ key: 'color', type: 'select', options: ['red', 'blue'], required: true }),
    rule({ key: 'weight', type: 'number' }),
    rule({ key: 'old', type: 'text', isActive: false }),
    rule({ key: 'constructor', type: 'text' }),
  ];

  it('validates, merges a patch (null removes a key), and keeps deactivated keys already stored', () => {
    const created = checkValues(rules, { color: 'red', weight: 2 });
    expect(created.issues).toEqual([]);
    expect(created.values).toEqual({ color: 'red', weight: 2 });
    const patched = checkValues(rules, { weight: null }, { color: 'red', weight: 2, old: 'kept' });
    expect(patched.issues).toEqual([]);
    expect(patched.values).toEqual({ color: 'red', old: 'kept' });
  });

  it('refuses unknown and deactivated keys, wrong types and missing required fields, all at once', () => {
    const { issues } = checkValues(rules, { colour: 'red', old: 'new', weight: 'heavy' });
    expect(issues.map((i) => i.pointer).sort()).toEqual([
      '/customFields/color',
      '/customFields/colour',
      '/customFields/old',
      '/customFields/weight',
    ]);
  });

  it('does not read keys off the prototype (__proto__, constructor, toString)', () => {
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": true}, "toString": "x", "color": "blue"}',
    ) as Record<string, unknown>;
    const { issues, values } = checkValues(rules, hostile);
    expect(issues.map((i) => i.pointer).sort()).toEqual([
      '/customFields/__proto__',
      '/customFields/toString',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    // `constructor` is a legal key: an own property, not Object's constructor.
    const own = checkValues(rules, { color: 'red', constructor: 'c' });
    expect(own.issues).toEqual([]);
    expect(Object.prototype.hasOwnProperty.call(own.values, 'constructor')).toBe(true);
    expect(own.values.constructor).toBe('c');
    // Required checks look at own keys only: a missing `color` is not found on the prototype.
    expect(checkValues([rule({ key: 'constructor', required: true })], {}).issues).toHaveLength(1);
  });

  it('a required text field is not satisfied by blank text (review 2026-12-01)', () => {
    const required = [rule({ key: 'note', type: 'text', required: true })];
    for (const blank of ['   ', '\u200B', ' \n '])
      expect(checkValues(required, { note: blank }).issues).toHaveLength(1);
    expect(checkValues(required, { note: ' x ' }).issues).toEqual([]);
  });

  it('a required field added later binds a record only when its custom fields are written', () => {
    const later = [...rules, rule({ key: 'sku2', type: 'text', required: true })];
    const { issues } = checkValues(later, { weight: 1 }, { color: 'red' });
    expect(issues.map((i) => i.pointer)).toEqual(['/customFields/sku2']);
    expect(checkValues(later, { sku2: '' }, { color: 'red' }).issues).toHaveLength(1);
  });

  it('escapes JSON pointers and caps the number of keys', () => {
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, 1]));
    const { issues } = checkValues([], many);
    expect(issues[0]).toMatchObject({ pointer: '/customFields' });
    expect(issues).toHaveLength(101);
    expect(checkValues([], { 'a/b~c': 1 }).issues[0].pointer).toBe('/customFields/a~1b~0c');
  });
});

describe('definitions (type-specific rules)', () => {
  it('select needs 1-100 options, normalised and unique case- and look-alike-insensitively', () => {
    expect(checkDefinition({ type: 'select' }).issues[0].pointer).toBe('/options');
    expect(checkDefinition({ type: 'select', options: [] }).issues).toHaveLength(1);
    const many = Array.from({ length: 101 }, (_, i) => `o${i}`);
    expect(checkDefinition({ type: 'multiselect', options: many }).issues).toHaveLength(1);
    const dup = checkDefinition({ type: 'select', options: ['Red', ' red ', 'ＲＥＤ', 'Blue'] });
    expect(dup.issues.map((i) => i.pointer)).toEqual(['/options/1', '/options/2']);
    expect(checkDefinition({ type: 'select', options: ['a|b'] }).issues).toHaveLength(1);
    expect(checkDefinition({ type: 'select', options: ['x'.repeat(101)] }).issues).toHaveLength(1);
    expect(checkDefinition({ type: 'select', options: ['\u200b'] }).issues).toHaveLength(1);
    expect(checkDefinition({ type: 'select', options: [' Cafe\u0301 '] }).rules.options).toEqual([
      'Café',
    ]);
    expect(checkDefinition({ type: 'text', options: ['a'] }).issues[0].pointer).toBe('/options');
  });

  it('min/max by type, min ≤ max', () => {
    expect(checkDefinition({ type: 'text', min: 1, max: 10 }).rules).toMatchObject({
      min: '1',
      max: '10',
    });
    expect(checkDefinition({ type: 'text', max: 10_001 }).issues).toHaveLength(1);
    expect(checkDefinition({ type: 'text', max: 1.5 }).issues).toHaveLength(1);
    expect(checkDefinition({ type: 'number', min: 10, max: 1 }).issues[0].pointer).toBe('/max');
    expect(checkDefinition({ type: 'decimal', min: '0.10', max: '2' }).rules.min).toBe('0.1');
    expect(
      checkDefinition({ type: 'number', max: JSON.parse('1e309') as number }).issues,
    ).toHaveLength(1);
    expect(checkDefinition({ type: 'date', min: '2026-02-30' }).issues).toHaveLength(1);
    expect(checkDefinition({ type: 'datetime', min: '2026-01-01T00:00:00+01:00' }).rules.min).toBe(
      '2025-12-31T23:00:00.000Z',
    );
    for (const type of ['boolean', 'select', 'user', 'url'] as const)
      expect(
        checkDefinition({ type, min: 1, options: type === 'select' ? ['a'] : undefined }).issues,
      ).toHaveLength(1);
  });

  it('patterns: valid, text only, and none of the catastrophic-backtracking shapes', () => {
    expect(checkDefinition({ type: 'text', pattern: '^[a-z]+$' }).issues).toEqual([]);
    expect(checkDefinition({ type: 'number', pattern: '^1$' }).issues).toHaveLength(1);
    for (const bad of [
      '(a+)+$',
      '(a*)*b',
      '(a|a)*',
      '(a|aa)+$',
      '((ab)*)+',
      '(\\d+){2,}',
      '(a)\\1',
      '(?<x>a)\\k<x>',
      '(?=a)a',
      '(?<!a)b',
      '[',
      'x'.repeat(201),
      '',
      'a\u0000',
    ])
      expect(patternProblem(bad)).not.toBeNull();
    for (const good of ['^[A-Z]{2}-\\d{3}$', '^(ab)?c+$', '^(?:foo|bar)$', '^[(+*]+$'])
      expect(patternProblem(good)).toBeNull();
  });

  it('a pattern test that overruns its budget refuses the value instead of hanging', () => {
    // Not accepted as a definition; run directly to prove the second wall holds.
    const started = Date.now();
    expect(testPattern('^(a+)+$', `${'a'.repeat(40)}!`)).toBe('timeout');
    expect(testPattern('^a+$', 'aaa')).toBe('match');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('import/export cells', () => {
  it('reads cells as the API values and writes them back unchanged', () => {
    const rules = [
      rule({ key: 'n', type: 'number' }),
      rule({ key: 'b', type: 'boolean' }),
      rule({ key: 'm', type: 'multiselect', options: ['x', 'y'] }),
      rule({ key: 't', type: 'text' }),
      rule({ key: 'gone', type: 'text', isActive: false }),
    ];
    expect(customFieldColumns(rules)).toEqual(['cf.n', 'cf.b', 'cf.m', 'cf.t']);
    expect(cellToValue(rules[0], '2.5')).toBe(2.5);
    expect(cellToValue(rules[0], 'abc')).toBe('abc'); // refused later as the API would
    expect(cellToValue(rules[1], 'TRUE')).toBe(true);
    expect(cellToValue(rules[2], 'x|y')).toEqual(['x', 'y']);
    expect(cellToValue(rules[3], ' spaced ')).toBe(' spaced ');
    expect(cellToValue(rules[3], '   ')).toBeUndefined();
    const stored = { n: 2.5, b: false, m: ['x', 'y'], t: ' spaced ' };
    expect(['n', 'b', 'm', 't', 'constructor'].map((k) => valueToCell(stored, k))).toEqual([
      '2.5',
      'false',
      'x|y',
      ' spaced ',
      '',
    ]);
  });
});
