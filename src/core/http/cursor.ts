import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A keyset position: the sort key of the last row of a page as PostgreSQL's exact text of it
 * (never a JS `Date` or `number`, so microseconds and decimals survive), the row's id as the
 * tie-breaker, and the `scope` it belongs to (table, sort column, type and direction), so a
 * cursor of one list or sort order is refused by another instead of silently giving a wrong page.
 */
export interface KeysetPosition {
  /** e.g. `products|created_at|timestamptz|ASC`; compared verbatim by `selectPage`. */
  scope: string;
  /** The sort key's value as text (`null` when a nullable key is null). */
  key: string | null;
  /** The row id (tie-breaker); `''` when the key itself is unique. */
  id: string;
}

const MAX_CURSOR_LENGTH = 4096;
const SIGNATURE_BYTES = 18;

/**
 * Encodes keyset positions into opaque `?cursor=` strings and back. A cursor is
 * `base64url(JSON) + '.' + base64url(HMAC-SHA256(key, JSON))` (first 18 bytes): clients cannot
 * forge or edit one; anything that is not a cursor this server signed decodes to `undefined`
 * (the caller answers 422 naming `cursor`). The key is derived from the JWT secret (see
 * `ListQueryParser`), so cursors survive restarts and are valid on every API instance.
 */
export class CursorCodec {
  private readonly key: Buffer;

  /** `secret`: any server-side secret of at least 16 characters; a sub-key is derived from it. */
  constructor(secret: string) {
    if (secret.length < 16) throw new Error('CursorCodec needs a secret of 16+ characters');
    this.key = createHmac('sha256', secret).update('alees:list-cursor:v1').digest();
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, SIGNATURE_BYTES);
  }

  /** The opaque cursor of `position`. */
  encode(position: KeysetPosition): string {
    const body = Buffer.from(
      JSON.stringify({ s: position.scope, k: position.key, i: position.id }),
      'utf8',
    ).toString('base64url');
    return `${body}.${this.sign(body).toString('base64url')}`;
  }

  /** The position in a cursor this codec signed, or `undefined` (garbage, edited, other key). */
  decode(raw: string): KeysetPosition | undefined {
    if (raw.length > MAX_CURSOR_LENGTH) return undefined;
    const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(raw);
    if (!match) return undefined;
    const [, body, signature] = match;
    const given = Buffer.from(signature, 'base64url');
    const expected = this.sign(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const { s, k, i } = value as Record<string, unknown>;
    if (typeof s !== 'string' || typeof i !== 'string') return undefined;
    if (k !== null && typeof k !== 'string') return undefined;
    return { scope: s, key: k, id: i };
  }
}
