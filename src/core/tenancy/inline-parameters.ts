import { escapeLiteral } from 'pg';
import { QueryFailedError } from 'typeorm';
// pg's own conversion of a bound parameter to its text form (untyped module: no @types entry).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => unknown };

/**
 * Replaces the `$1`…`$n` placeholders of `sql` with SQL literals of `parameters`, converted as pg
 * converts bound parameters (`prepareValue`: dates, arrays, buffers, JSON) and quoted with pg's
 * `escapeLiteral` (doubles quotes, `E'...'` when a backslash is present), so the value is data
 * and never SQL. `null`/`undefined` become `NULL`. Placeholders inside string literals, quoted
 * identifiers, dollar-quoted bodies and comments are left alone. An unquoted literal has the same
 * "unknown" type a parameter without a declared type has, so PostgreSQL infers the same type.
 *
 * @throws Error when a placeholder has no parameter (a bug in the caller's SQL).
 */
export function inlineParameters(sql: string, parameters: readonly unknown[]): string {
  const literal = (index: number): string => {
    if (index < 1 || index > parameters.length) {
      throw new Error(`Placeholder $${index} has no parameter (${parameters.length} given)`);
    }
    const value = prepareValue(parameters[index - 1]);
    if (value === null || value === undefined) return 'NULL';
    if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'::bytea`;
    // prepareValue returns a string for everything but null/undefined and Buffers. A NUL cannot
    // travel in a query string (the whole message is refused, 08P01, a 500): refuse the value as
    // PostgreSQL refuses it bound (22021, mapped to 422 like any invalid text).
    if ((value as string).includes('\u0000')) throw nulRefused(sql);
    return escapeLiteral(value as string);
  };
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      // '...' (with '' inside; E'...' also with \' inside) or "identifier" (with "" inside).
      const escaped = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]) && !/\w/.test(sql[i - 2] ?? '');
      let j = i + 1;
      while (j < n) {
        if (escaped && sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j += 1;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const j = end === -1 ? n : end;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const j = end === -1 ? n : end + 2;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '$') {
      const number = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (number && !/[\w$]/.test(sql[i - 1] ?? '')) {
        out += literal(Number(number[1]));
        i += number[0].length;
      } else if (tag && !/[\w$]/.test(sql[i - 1] ?? '')) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        const j = end === -1 ? n : end + tag[0].length;
        out += sql.slice(i, j);
        i = j;
      } else {
        out += c;
        i += 1;
      }
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** The error PostgreSQL gives a bound text parameter holding U+0000 (SQLSTATE 22021). */
function nulRefused(sql: string): QueryFailedError {
  const refusal = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
    code: '22021',
  });
  return new QueryFailedError(sql, [], refusal);
}
