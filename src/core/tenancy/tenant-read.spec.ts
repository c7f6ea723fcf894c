import { inlineParameters } from './inline-parameters';

describe('inlineParameters', () => {
  it('inlines each placeholder as a quoted literal, NULL for null/undefined', () => {
    expect(
      inlineParameters('SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3', ['x', 12, null]),
    ).toBe(`SELECT * FROM t WHERE a = 'x' AND b = '12' AND c = NULL`);
    expect(inlineParameters('SELECT $1::int, $10', [...Array(9).fill(undefined), 'ten'])).toBe(
      `SELECT NULL::int, 'ten'`,
    );
  });

  it('keeps a hostile value data: quotes doubled, backslashes in an E-string', () => {
    expect(inlineParameters('SELECT $1', ["'); DROP TABLE t; --"])).toBe(
      `SELECT '''); DROP TABLE t; --'`,
    );
    // pg's escapeLiteral writes ` E'...'` (with a space) when the value holds a backslash.
    expect(inlineParameters('SELECT $1', ['a\\b'])).toBe(`SELECT  E'a\\\\b'`);
  });

  it('converts values as pg binds them (arrays, booleans, dates, JSON, buffers)', () => {
    expect(inlineParameters('SELECT $1, $2', [['a', 'b"c'], true])).toBe(
      `SELECT  E'{"a","b\\\\"c"}', 'true'`,
    );
    expect(inlineParameters('SELECT $1', [{ k: 1 }])).toBe(`SELECT '{"k":1}'`);
    expect(inlineParameters('SELECT $1', [Buffer.from([1, 255])])).toBe(`SELECT '\\x01ff'::bytea`);
    expect(inlineParameters('SELECT $1', [new Date('2026-01-02T03:04:05Z')])).toMatch(
      /^SELECT '2026-01-0\d.*'$/,
    );
  });

  it('leaves $n inside strings, identifiers, dollar quotes and comments alone', () => {
    const sql = `SELECT '$1', "$1", $$ $1 $$, $tag$ $2 $tag$, E'\\' $1' -- $1
      /* $1 */, $1`;
    expect(inlineParameters(sql, ['v'])).toBe(
      `SELECT '$1', "$1", $$ $1 $$, $tag$ $2 $tag$, E'\\' $1' -- $1
      /* $1 */, 'v'`,
    );
  });

  it('refuses a placeholder without a parameter', () => {
    expect(() => inlineParameters('SELECT $2', ['one'])).toThrow(/\$2 has no parameter/);
  });
});
