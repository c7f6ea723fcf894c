import type { LoggerService } from '@nestjs/common';
import { Client } from 'pg';

/** A LISTEN session opened by {@link listenDirect}; `close()` ends it (never throws). */
export interface DirectListener {
  close(): Promise<void>;
}

/**
 * `LISTEN <channel>` on a dedicated `pg` client of its own to `directUrl` (`DATABASE_DIRECT_URL`:
 * straight to PostgreSQL, default `DATABASE_URL`), outside the pool: LISTEN needs a session, which
 * PgBouncer in transaction pooling does not keep. `onNotify` runs on every notification. A failed
 * connect or a dropped connection is logged as a warning and never thrown — callers poll as a
 * safety net, so they carry on without it (`undefined` when the connect failed).
 * `channel` is an identifier chosen in code (checked: lower-case letters, digits, `_`).
 */
export async function listenDirect(options: {
  directUrl: string;
  channel: string;
  applicationName: string;
  onNotify: () => void;
  logger: LoggerService;
}): Promise<DirectListener | undefined> {
  const { directUrl, channel, applicationName, onNotify, logger } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`listenDirect: bad channel ${channel}`);
  const client = new Client({
    connectionString: directUrl,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
  });
  // A dropped connection must not crash the process: the caller's poll carries on alone.
  client.on('error', (error) => {
    logger.warn({ error: error.message }, `${applicationName}: LISTEN lost, polling only`);
  });
  client.on('notification', () => onNotify());
  try {
    await client.connect();
    await client.query(`LISTEN ${channel}`);
  } catch (error) {
    logger.warn({ error: (error as Error).message }, `${applicationName}: polling only`);
    void client.end().catch(() => undefined);
    return undefined;
  }
  return { close: () => client.end().catch(() => undefined) };
}
