import { EntityManager, QueryFailedError, QueryRunner } from 'typeorm';
import { inlineParameters } from './inline-parameters';

/**
 * A statement built by the repository that owns its tables (placeholders `$1`…`$n` of its own
 * `params`) and how its rows become the owner's answer — `decode` may throw the owner's error
 * (e.g. 422 for a reference that does not exist). Sent alone or with others by
 * {@link queryTogether}.
 */
export interface Statement<T> {
  sql: string;
  params: readonly unknown[];
  decode(rows: unknown[]): T;
}

type Decoded<S extends readonly Statement<unknown>[]> = {
  [K in keyof S]: S[K] extends Statement<infer T> ? T : never;
};

/** node-postgres' result of one statement of a simple-protocol message. */
export interface SimpleResult {
  rows: unknown[];
  command: string;
}

/** node-postgres' client: one Result per statement of a simple-protocol message. */
interface RawClient {
  query(text: string): Promise<SimpleResult | SimpleResult[]>;
}

/**
 * Sends `statements` (each with its own `$1`…`$n`, inlined as literals by `inlineParameters`) on
 * `runner`'s connection as ONE simple-protocol message — one round trip — and returns one result
 * per statement, in order. PostgreSQL stops at the first failing statement; a failure throws
 * TypeORM's `QueryFailedError` (the driver's error inside), as `manager.query` would, so the error
 * filter maps it the same way. The one sender of `queryTogether` and `commitTransaction`.
 */
export async function sendInOneMessage(
  runner: QueryRunner,
  statements: readonly { sql: string; params: readonly unknown[] }[],
): Promise<SimpleResult[]> {
  const client = (runner as unknown as { databaseConnection: RawClient }).databaseConnection;
  const text = statements.map((s) => inlineParameters(s.sql, s.params)).join(';\n');
  let answer: SimpleResult | SimpleResult[];
  try {
    answer = await client.query(text);
  } catch (error) {
    throw new QueryFailedError(text, [], error as Error);
  }
  return Array.isArray(answer) ? answer : [answer];
}

/**
 * Runs `statements` — of different modules, each built by its owner — in order in ONE round trip
 * on `manager`'s connection ({@link sendInOneMessage}), inside the caller's transaction, and
 * decodes each one's rows in order (so the first statement's error wins, as if they had been run
 * one by one). Issue 21: a stock move checks its product and share-locks its locations in one
 * round trip instead of two.
 */
export async function queryTogether<S extends readonly Statement<unknown>[]>(
  manager: EntityManager,
  statements: S,
): Promise<Decoded<S>> {
  const results = await sendInOneMessage(manager.queryRunner!, statements);
  if (results.length !== statements.length) {
    throw new Error(`queryTogether: ${statements.length} statements, ${results.length} results`);
  }
  return statements.map((s, i) => s.decode(results[i].rows)) as Decoded<S>;
}
