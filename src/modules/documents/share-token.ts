import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const RANDOM_BYTES = 32;
const UUID_HEX = /^[0-9a-f]{32}$/;
/** 16 bytes of organization id + 32 random bytes, base64url: 64 characters. */
const TOKEN = /^[A-Za-z0-9_-]{64}$/;

/** SHA-256 (hex) of a share token: the only form stored (`document_share_links.token_hash`). */
export const hashShareToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * A new share token for a document of `orgId`: the organization id (so the public route opens a
 * tenant transaction for it, and row-level security still applies) then 256 random bits, as
 * base64url. Returned to the creator once; only {@link hashShareToken} of it is kept.
 */
export function newShareToken(orgId: string): { token: string; hash: string } {
  const org = Buffer.from(orgId.replace(/-/g, ''), 'hex');
  const token = Buffer.concat([org, randomBytes(RANDOM_BYTES)]).toString('base64url');
  return { token, hash: hashShareToken(token) };
}

/**
 * The organization a token names, or null for anything that is not a token of ours (wrong length
 * or alphabet): the caller answers 404 alike for every failure.
 */
export function shareTokenOrganization(token: string): string | null {
  if (!TOKEN.test(token)) return null;
  const hex = Buffer.from(token, 'base64url').subarray(0, 16).toString('hex');
  if (!UUID_HEX.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Constant-time comparison of two hex hashes (the index lookup found a row; confirm it). */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
