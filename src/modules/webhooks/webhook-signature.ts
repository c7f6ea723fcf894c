import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature (Stripe's scheme, issue 19). */
export const SIGNATURE_HEADER = 'X-Alees-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` — Stripe's `Stripe-Signature`
 * scheme: the receiver recomputes the HMAC over the timestamp and the exact bytes it received,
 * compares in constant time, and refuses timestamps too far from its clock (replays).
 */
export function signPayload(secret: string, body: string, timestampSeconds: number): string {
  const t = Math.floor(timestampSeconds);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * Whether `header` signs `body` with `secret` within `toleranceSeconds` of `nowSeconds` — what a
 * receiver does (used by our tests and documented for integrators). Any `v1` entry may match
 * (several are sent during a secret rotation by Stripe; we send one).
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string]);
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, body, t).split('v1=')[1], 'hex');
  return parts
    .filter(([key]) => key === 'v1')
    .some(([, value]) => {
      const given = Buffer.from(value ?? '', 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
