import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields a row's hash covers: everything but the hash itself. */
export interface ChainedFields {
  id: string;
  organizationId: string | null;
  chainKey: string;
  seq: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  changes: Record<string, unknown>;
  requestId: string | null;
  ip: string | null;
  createdAt: string;
  prevHash: string;
}

/** Key-sorted JSON: jsonb does not keep key order, so the hash must not depend on it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function chainHash(fields: ChainedFields): string {
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}

const SECRET_FIELD = /pass(word)?|secret|token|hash|totp|recovery|api.?key|authorization|cookie/i;

/** `value` with the secret-looking fields of every object inside it masked (arrays included). */
function maskValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskValue);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return maskSecrets(value as Record<string, unknown>);
  }
  return value;
}

/**
 * Values of secret-looking fields never reach the audit log, only the fact they changed — at any
 * depth, inside objects and arrays (a rule's `actions[i].params.secret`, a list of credentials).
 */
export function maskSecrets(changes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(changes).map(([field, value]) => [
      field,
      SECRET_FIELD.test(field) ? '[masked]' : maskValue(value),
    ]),
  );
}

/** `{field: {from, to}}` for the listed fields that differ between two snapshots. */
export function diffFields<T extends object>(
  before: T,
  after: T,
  fields: (keyof T)[],
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of fields) {
    const from =
      before[field] instanceof Date ? (before[field] as Date).toISOString() : before[field];
    const to = after[field] instanceof Date ? (after[field] as Date).toISOString() : after[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[String(field)] = { from, to };
  }
  return changes;
}
