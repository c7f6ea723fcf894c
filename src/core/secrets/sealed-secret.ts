import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encrypts a secret the server must read again (a webhook signing secret keys the HMAC; a rule's
 * outgoing headers are sent as they are), so it cannot be hashed like API keys: AES-256-GCM with a
 * random 96-bit IV under `key` (32 bytes, `AppConfig.webhooks.secretsKey`, from
 * `WEBHOOK_SECRETS_KEY`), as `v1.<iv>.<tag>.<ciphertext>` (base64url). A database dump does not
 * reveal it; `aad` (e.g. the row's id) binds the ciphertext to its row, so it cannot be copied to
 * another one.
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
    throw new Error('Not a sealed secret');
  }
  const authTag = Buffer.from(tag, 'base64url');
  // A full 16-byte tag only: GCM accepts truncated tags, which would make forging easier.
  if (authTag.length !== 16) throw new Error('Not a sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
    authTagLength: 16,
  });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(authTag);
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}

/** Marks a value {@link sealStoredSecret} wrote (the rest is {@link sealSecret}'s text). */
const SEALED_PREFIX = 'sealed:';

/**
 * A secret as stored in a text column or a JSON value: `sealed:` + {@link sealSecret}. Always
 * sealed, whatever the value looks like, so a client cannot hand the server a ciphertext to open.
 */
export function sealStoredSecret(value: string, key: Buffer, aad: string): string {
  return SEALED_PREFIX + sealSecret(value, key, aad);
}

/**
 * The value {@link sealStoredSecret} stored; a value without the `sealed:` prefix is returned as
 * it is (written before the column was sealed).
 *
 * @throws Error when a sealed value does not open: another key, or another row's value (`aad`).
 */
export function openStoredSecret(value: string, key: Buffer, aad: string): string {
  return value.startsWith(SEALED_PREFIX)
    ? openSecret(value.slice(SEALED_PREFIX.length), key, aad)
    : value;
}
