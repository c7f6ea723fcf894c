import { randomBytes } from 'node:crypto';

export { openSecret, sealSecret } from '../../core/secrets/sealed-secret';

/** A new signing secret: `whsec_` + 32 random bytes, base64url (Stripe's prefix, so scanners know it). */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
