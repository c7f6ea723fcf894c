import type { QueryRunner } from 'typeorm';
import type { CommitStatement } from './after-commit';
import { sendInOneMessage, SimpleResult } from './statement-batch';

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

/**
 * Sends `statements` (deferred by `atCommit`) and `COMMIT` on `runner`'s connection as one
 * simple-protocol message ({@link sendInOneMessage}: one round trip) and checks PostgreSQL's
 * answer to `COMMIT`: the command tag is `COMMIT`, or {@link TransactionAbortedError} is thrown
 * (the tag `ROLLBACK` means the transaction had failed; nothing is retried). PostgreSQL stops at
 * the first failing statement, so a failing deferred statement means no `COMMIT` ran: the caller
 * rolls back. Any other failure — a deferred statement's, or one at commit (a deferred
 * constraint, a serialization failure) — is TypeORM's `QueryFailedError`, as a statement of
 * `work` would throw, so the error filter maps it the same way.
 */
export async function commitTransaction(
  runner: QueryRunner,
  statements: readonly CommitStatement[] = [],
): Promise<void> {
  let results: SimpleResult[];
  try {
    results = await sendInOneMessage(runner, [...statements, { sql: 'COMMIT', params: [] }]);
  } catch (error) {
    // A swallowed error left the transaction aborted and a deferred statement hit it first.
    const code = (error as { driverError?: { code?: string } }).driverError?.code;
    if (code === '25P02') throw new TransactionAbortedError();
    throw error;
  }
  if (results[results.length - 1]?.command !== 'COMMIT') throw new TransactionAbortedError();
}
