/** Default check-out length (minutes) when `POST …/checkout` names none (issue 20). */
export const DEFAULT_LOCK_MINUTES = 60;
/** Longest check-out one request may take (minutes): a day; checking out again extends it. */
export const MAX_LOCK_MINUTES = 24 * 60;

/** The lock columns of a document row. */
export interface LockColumns {
  locked_by: string | null;
  locked_at: Date | null;
  lock_expires_at: Date | null;
}

/**
 * The check-out in force at `now`, or null: a lock whose `lock_expires_at` is at or before `now`
 * has expired and holds nothing back (SPEC-P3 §5 "locks expire").
 */
export function liveLock(
  row: LockColumns,
  now: Date,
): { lockedBy: string; lockedAt: Date; lockExpiresAt: Date } | null {
  if (!row.locked_by || !row.lock_expires_at) return null;
  if (row.lock_expires_at.getTime() <= now.getTime()) return null;
  return {
    lockedBy: row.locked_by,
    lockedAt: row.locked_at ?? row.lock_expires_at,
    lockExpiresAt: row.lock_expires_at,
  };
}

/**
 * Whether `userId` (null: an API key, which holds no lock) may write the document at `now`:
 * nobody holds a live lock, or the caller does.
 */
export function mayWrite(row: LockColumns, userId: string | null, now: Date): boolean {
  const lock = liveLock(row, now);
  return lock === null || (userId !== null && lock.lockedBy === userId);
}
