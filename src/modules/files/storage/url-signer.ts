import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed local-storage URL allows: `get` a key, or `put` one (up to `max` bytes). */
export interface SignedGrant {
  op: 'get' | 'put';
  key: string;
  /** Expiry, epoch seconds. */
  exp: number;
  filename?: string;
  type?: string;
  max?: number;
}

/**
 * Tamper-proof tokens for the local backend's signed URLs: base64url(JSON) + "." + HMAC-SHA256
 * with a key derived from the JWT secret (domain-separated, so a token is never a JWT and back).
 */
export class UrlSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('alees:file-urls:v1').digest();
  }

  sign(grant: SignedGrant): string {
    const body = Buffer.from(JSON.stringify(grant)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The grant, when the token is intact, of the expected operation and not expired. */
  verify(token: string, op: SignedGrant['op'], nowSeconds: number): SignedGrant | undefined {
    const [body, mac] = token.split('.');
    if (!body || !mac) return undefined;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const grant = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SignedGrant;
      return grant.op === op && typeof grant.exp === 'number' && grant.exp > nowSeconds
        ? grant
        : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
