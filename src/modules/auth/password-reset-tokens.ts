import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../../core/config';

/** How long a reset link (forgotten password) stays valid, in ms (invitation links: users' `INVITATION_TOKEN_TTL_MS`). */
export const RESET_TOKEN_TTL_MS = 3_600_000;

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * A single-use token that lets its holder set the user's password (`POST /auth/password-reset/confirm`).
 * Only its SHA-256 is stored; the token itself exists only in the link mailed to the user.
 */
export async function issuePasswordResetToken(
  manager: EntityManager,
  userId: string,
  expiresAt: Date,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await manager.query(
    `INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, $3)`,
    [userId, sha256(token), expiresAt],
  );
  return token;
}

export const passwordLink = (config: AppConfig, token: string): string =>
  `${config.app.publicUrl}/reset-password?token=${token}`;
