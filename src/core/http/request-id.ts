import type { IncomingMessage } from 'node:http';
import { v7 as uuidv7 } from 'uuid';

/** A request id we accept from the client: short, printable, nothing that could split a header/log. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Fastify's `genReqId`: echo the caller's `X-Request-ID` when it is sane, else mint a UUID v7.
 * Stored on the raw request too, so the pino-http logger (which sees only the raw request) uses it.
 */
export function requestIdFor(raw: IncomingMessage): string {
  const header = raw.headers['x-request-id'];
  const candidate = Array.isArray(header) ? header[0] : header;
  const id = candidate && SANE_REQUEST_ID.test(candidate) ? candidate : uuidv7();
  (raw as IncomingMessage & { id?: string }).id = id;
  return id;
}
