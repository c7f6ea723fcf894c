import { escapeLiteral } from 'pg';
// pg's own conversion of a bound parameter to its text form (untyped module: no @types entry).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => unknown };
import { DataSource, EntityManager } from 'typeorm';
import { requireOrganizationId } from './tenant-transaction';

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
    // prepareValue returns a string for everything but null/undefined and Buffers.
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

/** The pg client as seen from a query runner: `query(text, values?)`. */
interface PgClient {
  query(text: unknown, values?: unknown): Promise<unknown>;
}

interface PgResult {
  rows: unknown[];
  command: string;
  rowCount: number | null;
}

/**
 * Runs read-only `work` for one organization with **one PostgreSQL round trip per statement** and
 * no `BEGIN`/`COMMIT`: each statement `work` issues is sent as one simple-protocol query string
 * `SELECT set_config('role', 'alees_tenant', true), set_config('app.current_org', '<id>', true),
 * set_config('transaction_read_only', 'on', true); <statement with inlined literals>`.
 * PostgreSQL runs a multi-statement simple query as one implicit transaction, so the settings
 * (`SET LOCAL`) hold for that statement only and row-level security limits it to the organization
 * exactly as in `withTenant` (the second wall); `transaction_read_only` makes any write fail
 * (`25006`). Each statement sees its own snapshot, which is what READ COMMITTED gives the
 * statements of an explicit transaction too; locking reads (`FOR UPDATE`) are refused.
 *
 * @throws TenantContextMissingError when `organizationId` is missing or not a UUID (fail closed).
 */
export async function withTenantRead<T>(
  dataSource: DataSource,
  organizationId: string | null | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const orgId = requireOrganizationId(organizationId);
  const prefix =
    `SELECT set_config('role', 'alees_tenant', true), set_config('app.current_org', '${orgId}', true), ` +
    `set_config('transaction_read_only', 'on', true);\n`;
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PgClient;
  const original = client.query.bind(client);
  const own = Object.prototype.hasOwnProperty.call(client, 'query');
  const saved = Object.getOwnPropertyDescriptor(client, 'query');
  client.query = async (text: unknown, values?: unknown): Promise<unknown> => {
    if (typeof text !== 'string') throw new Error('A tenant read sends SQL text only');
    const parameters = Array.isArray(values) ? (values as unknown[]) : [];
    const results = (await original(prefix + inlineParameters(text, parameters))) as PgResult[];
    return results[results.length - 1];
  };
  try {
    return await work(runner.manager);
  } finally {
    if (own && saved) Object.defineProperty(client, 'query', saved);
    else delete (client as Partial<PgClient>).query;
    await runner.release();
  }
}
