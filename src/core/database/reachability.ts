import { Client } from 'pg';

/** PostgreSQL could not be reached or refused us; the message is one line and never has a password. */
export class DatabaseUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnreachableError';
  }
}

/** `host:port/database` of a postgres:// URL, without user or password (safe to print). */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * Connects once to `url` and disconnects, before a process wires its modules: a database that is
 * down, unknown or refusing our credentials then ends the boot with one readable line (e.g.
 * `cannot reach the database at 127.0.0.1:5432/alees (ECONNREFUSED): is PostgreSQL running? Check
 * DATABASE_URL`) instead of TypeORM's retries and a Nest stack trace.
 *
 * @param timeoutMs how long to wait for the connection
 * @throws DatabaseUnreachableError naming the target (no credentials) and the reason
 */
export async function assertDatabaseReachable(url: string, timeoutMs = 5_000): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // a late socket error after a failed connect
  try {
    await client.connect();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    const reason = [code, message && !message.includes('://') ? message : undefined]
      .filter(Boolean)
      .join(': ');
    throw new DatabaseUnreachableError(
      `cannot reach the database at ${describeDatabaseUrl(url)} (${reason || 'no answer'}): ` +
        'is PostgreSQL running and does DATABASE_URL point at it?',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
