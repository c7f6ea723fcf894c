import { QueryFailedError, QueryRunner } from 'typeorm';

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

/** node-postgres' client, as TypeORM's query runner holds it. */
interface RawClient {
  query(text: string): Promise<{ command: string }>;
}

/**
 * Sends `COMMIT` on `runner`'s connection and checks PostgreSQL's answer: the command tag is
 * `COMMIT`, or {@link TransactionAbortedError} is thrown (the tag `ROLLBACK` means the
 * transaction had failed; the commit is not retried). A failure at commit (a deferred constraint,
 * a serialization failure) throws TypeORM's `QueryFailedError`, as any statement's failure does,
 * so the error filter maps it the same way. One round trip, as before.
 */
export async function commitTransaction(runner: QueryRunner): Promise<void> {
  const client = (runner as unknown as { databaseConnection: RawClient }).databaseConnection;
  let answer: { command: string };
  try {
    answer = await client.query('COMMIT');
  } catch (error) {
    throw new QueryFailedError('COMMIT', [], error as Error);
  }
  if (answer.command !== 'COMMIT') throw new TransactionAbortedError();
}
