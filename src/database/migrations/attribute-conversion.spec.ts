import { convertAttributes, convertValues, slugFor } from './attribute-conversion';

describe('product attributes → custom fields (migration 1764003100000)', () => {
  it('turns an attribute schema into definitions and moves the values under the new keys', () => {
    const schema = [
      { key: 'Color', type: 'enum', required: true, options: ['Red', 'red', 'Green', 'a|b'] },
      { key: 'weight', type: 'number' },
      { key: 'organic', type: 'boolean' },
      { key: 'harvested', type: 'date' },
      { key: 'note', type: 'string' },
      { key: 'empty', type: 'enum', options: [] },
    ];
    const conversion = convertAttributes(schema, [
      { Color: 'Red', weight: 2.5, organic: true, harvested: '2026-01-02', note: 'x' },
      { legacy: 7, Color: null },
    ]);
    expect(conversion.definitions).toEqual([
      {
        key: 'color',
        label: 'Color',
        type: 'select',
        required: true,
        options: ['Red', 'Green'],
        position: 0,
      },
      {
        key: 'weight',
        label: 'weight',
        type: 'number',
        required: false,
        options: null,
        position: 1,
      },
      {
        key: 'organic',
        label: 'organic',
        type: 'boolean',
        required: false,
        options: null,
        position: 2,
      },
      {
        key: 'harvested',
        label: 'harvested',
        type: 'date',
        required: false,
        options: null,
        position: 3,
      },
      { key: 'note', label: 'note', type: 'text', required: false, options: null, position: 4 },
      // An enum without one usable option becomes text.
      { key: 'empty', label: 'empty', type: 'text', required: false, options: null, position: 5 },
      // A key the schema does not define (values older than the schema): inferred.
      {
        key: 'legacy',
        label: 'legacy',
        type: 'number',
        required: false,
        options: null,
        position: 6,
      },
    ]);
    expect(
      convertValues(
        { Color: 'Red', weight: 2.5, organic: true, harvested: '2026-01-02', note: 'x' },
        conversion,
      ),
    ).toEqual({ color: 'Red', weight: 2.5, organic: true, harvested: '2026-01-02', note: 'x' });
    expect(convertValues({ legacy: 7, Color: null }, conversion)).toEqual({ legacy: 7 });
  });

  it('free-form attributes (no schema): slugged keys, inferred types, collisions numbered', () => {
    const records = [
      { Size: 'L', size: 'M', 'Größe 2': 3, flag: true, '9lives': { a: 1 } },
      { Size: 'S', flag: false, '9lives': 'text' },
    ];
    const conversion = convertAttributes(null, records);
    expect(conversion.definitions.map((d) => [d.key, d.label, d.type])).toEqual([
      ['f_9lives', '9lives', 'text'],
      ['gr__e_2', 'Größe 2', 'number'],
      ['size', 'Size', 'text'],
      ['flag', 'flag', 'boolean'],
      ['size_2', 'size', 'text'],
    ]);
    expect(convertValues(records[0], conversion)).toEqual({
      size: 'L',
      size_2: 'M',
      gr__e_2: 3,
      flag: true,
      f_9lives: '{"a":1}', // an object under a text field keeps its JSON
    });
  });

  it('slugs are valid custom field keys, unique, at most 40 characters', () => {
    const taken = new Set<string>();
    const long = 'A'.repeat(60);
    const first = slugFor(long, taken);
    const second = slugFor(long, taken);
    expect(first).toBe('a'.repeat(40));
    expect(second).toBe(`${'a'.repeat(38)}_2`);
    expect(slugFor('__proto__', taken)).toBe('f___proto__');
    for (const key of taken) expect(key).toMatch(/^[a-z][a-z0-9_]{0,39}$/);
  });

  it('keeps values of keys beyond 100 definitions (undefined until next written)', () => {
    const record = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${1000 + i}`, i]));
    const conversion = convertAttributes(null, [record]);
    expect(conversion.definitions).toHaveLength(100);
    expect(Object.keys(convertValues(record, conversion))).toHaveLength(120);
  });

  it('an empty schema and no values convert to nothing', () => {
    expect(convertAttributes([], [])).toEqual({ definitions: [], keys: new Map() });
  });
});
