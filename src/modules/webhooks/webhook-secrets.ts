import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A new signing secret: `whsec_` + 32 random bytes, base64url (Stripe's prefix, so scanners know it). */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * Encrypts a signing secret for storage: AES-256-GCM with a random 96-bit IV under `key` (32 bytes,
 * `AppConfig.webhooks.secretsKey`), as `v1.<iv>.<tag>.<ciphertext>` (base64url). The secret must
 * be readable again (it keys the HMAC), so it cannot be hashed like API keys; encryption keeps a
 * database dump from revealing it. `aad` (the subscription id) binds the ciphertext to its row.
 */
export function sealSecret(secret: string, key: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The secret {@link sealSecret} stored; throws when the key, the row or the text is wrong. */
export function openSecret(sealed: string, key: Buffer, aad: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined) {
    throw new Error('Not a sealed webhook secret');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}
