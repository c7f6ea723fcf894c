import { QueryFailedError, QueryRunner } from 'typeorm';
import type { CommitStatement } from './after-commit';
import { inlineParameters } from './inline-parameters';

/**
 * A statement inside the transaction failed and the failure was caught and not rethrown, so the
 * transaction was aborted: PostgreSQL answers every later statement with 25P02 and answers
 * `COMMIT` with the command tag `ROLLBACK` instead of an error. Without a check the caller would
 * report success for work that was all rolled back. Always a server bug (an error swallowed
 * without a savepoint), so it maps to 500 and is logged.
 */
export class TransactionAbortedError extends Error {
  /** PostgreSQL's SQLSTATE for "in failed SQL transaction". */
  readonly sqlState = '25P02';

  constructor() {
    super(
      'A statement of this transaction failed and its error was swallowed: nothing was committed',
    );
    this.name = 'TransactionAbortedError';
  }
}

/** node-postgres' client, as TypeORM's query runner holds it (an array for several statements). */
interface RawClient {
  query(text: string): Promise<{ command: string } | { command: string }[]>;
}

/**
 * Sends `statements` (deferred by `atCommit`, parameters inlined as literals) and `COMMIT` on
 * `runner`'s connection as one simple-protocol message — one round trip — and checks
 * PostgreSQL's answer to `COMMIT`: the command tag is `COMMIT`, or
 * {@link TransactionAbortedError} is thrown (the tag `ROLLBACK` means the transaction had failed;
 * nothing is retried). In a simple-protocol message PostgreSQL stops at the first failing
 * statement, so a failing deferred statement means no `COMMIT` ran: the caller rolls back. Any
 * failure — a deferred statement's, or one at commit (a deferred constraint, a serialization
 * failure) — throws TypeORM's `QueryFailedError`, as a statement of `work` would, so the error
 * filter maps it the same way.
 */
export async function commitTransaction(
  runner: QueryRunner,
  statements: readonly CommitStatement[] = [],
): Promise<void> {
  const client = (runner as unknown as { databaseConnection: RawClient }).databaseConnection;
  const text = [...statements.map((s) => inlineParameters(s.sql, s.params)), 'COMMIT'].join(';\n');
  let answer: { command: string } | { command: string }[];
  try {
    answer = await client.query(text);
  } catch (error) {
    // A swallowed error left the transaction aborted and a deferred statement hit it first.
    if ((error as { code?: string }).code === '25P02') throw new TransactionAbortedError();
    throw new QueryFailedError(text, [], error as Error);
  }
  const last = Array.isArray(answer) ? answer[answer.length - 1] : answer;
  if (last?.command !== 'COMMIT') throw new TransactionAbortedError();
}
