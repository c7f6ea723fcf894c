import { createHash } from 'node:crypto';

/** Who a flag is on for, besides everyone (no targeting) or no one (disabled). */
export interface FlagRules {
  userIds?: string[];
  organizationIds?: string[];
  /** 0–100: that share of users, chosen by a stable hash of flag key + user id. */
  percentage?: number | null;
  /** Only in these environments (empty or absent: all). */
  environments?: string[];
}

export interface FlagDefinition {
  key: string;
  enabled: boolean;
  rules: FlagRules;
}

export interface FlagSubject {
  userId: string | null;
  organizationId: string | null;
  environment: string;
}

/** A user's stable position 0 ≤ b < 100 for one flag (same user, same flag → same bucket). */
export function bucketOf(flagKey: string, userId: string): number {
  const digest = createHash('sha256').update(`${flagKey}:${userId}`).digest();
  return (digest.readUInt32BE(0) % 10_000) / 100;
}

/**
 * Whether the flag is on for the subject. A disabled flag is off whatever its rules; outside its
 * environments it is off; with no targeting it is on for everyone; otherwise on when the user or
 * organization is listed, or the user's bucket falls under the percentage.
 */
export function isOn(flag: FlagDefinition, subject: FlagSubject): boolean {
  if (!flag.enabled) return false;
  const { userIds = [], organizationIds = [], percentage = null, environments = [] } = flag.rules;
  if (environments.length > 0 && !environments.includes(subject.environment)) return false;
  const targeted = userIds.length > 0 || organizationIds.length > 0 || percentage !== null;
  if (!targeted) return true;
  if (subject.userId && userIds.includes(subject.userId)) return true;
  if (subject.organizationId && organizationIds.includes(subject.organizationId)) return true;
  return (
    percentage !== null &&
    subject.userId !== null &&
    bucketOf(flag.key, subject.userId) < percentage
  );
}
