import { DateTime, IANAZone } from 'luxon';

/** The longest meeting (SPEC-P3 §10): 24 hours. */
export const MAX_MEETING_MS = 24 * 60 * 60 * 1000;
/** How early participants may join before the start: 15 minutes. */
export const JOIN_EARLY_MS = 15 * 60 * 1000;
/** The longest a join token lives: 2 hours (shorter when the meeting ends sooner). */
export const MAX_JOIN_TOKEN_MS = 2 * 60 * 60 * 1000;

/** An ISO 8601 date-time with an offset (`Z`, `+02:00`): an instant. */
const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
/** `YYYY-MM-DDTHH:mm[:ss[.SSS]]`, with or without an offset. */
export const DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The canonical IANA name of `zone` (`europe/paris` → `Europe/Paris`), or null when it is not an
 * IANA zone luxon (the platform's ICU data) knows. Fixed offsets (`UTC+2`) are refused: a meeting
 * keeps its wall-clock time across DST only in a real zone.
 */
export function canonicalTimeZone(zone: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone) || !IANAZone.isValidZone(zone)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * The instant `value` names: with an offset, that instant; without one, the wall-clock time in
 * `zone` (DST applied: `2026-03-29T10:00` in Europe/Paris is 08:00Z, the day before 09:00Z). A
 * wall-clock time that does not exist (skipped by a DST jump) or a malformed value → null.
 */
export function instantOf(value: string, zone: string): Date | null {
  if (!DATE_TIME.test(value)) return null;
  const parsed = WITH_OFFSET.test(value)
    ? DateTime.fromISO(value, { setZone: true })
    : DateTime.fromISO(value, { zone });
  if (!parsed.isValid) return null;
  if (!WITH_OFFSET.test(value)) {
    // luxon moves a skipped local time forward; such a time does not exist in the zone.
    const local = DateTime.fromISO(value, { zone: 'UTC' });
    if (parsed.toFormat("yyyy-MM-dd'T'HH:mm") !== local.toFormat("yyyy-MM-dd'T'HH:mm")) return null;
  }
  return parsed.toJSDate();
}

/** Why an interval is refused (null: accepted): end after start, at most 24 hours. */
export function intervalProblem(
  startsAt: Date,
  endsAt: Date,
): 'end_before_start' | 'too_long' | null {
  if (endsAt.getTime() <= startsAt.getTime()) return 'end_before_start';
  if (endsAt.getTime() - startsAt.getTime() > MAX_MEETING_MS) return 'too_long';
  return null;
}

/**
 * Whether `now` is inside the join window: from 15 minutes before the start until the end
 * (exclusive). Returns `early`, `over` or `open`.
 */
export function joinWindow(now: Date, startsAt: Date, endsAt: Date): 'early' | 'open' | 'over' {
  if (now.getTime() < startsAt.getTime() - JOIN_EARLY_MS) return 'early';
  if (now.getTime() >= endsAt.getTime()) return 'over';
  return 'open';
}

/**
 * When a join token issued at `now` expires: the meeting's end, at most 2 hours after `now`, in
 * whole seconds (a JWT's `exp` is in seconds: the answer's `expiresAt` is exactly it).
 */
export function joinTokenExpiry(now: Date, endsAt: Date): Date {
  const ms = Math.min(endsAt.getTime(), now.getTime() + MAX_JOIN_TOKEN_MS);
  return new Date(Math.floor(ms / 1000) * 1000);
}

/** `2026-03-29 10:00` — the start as people in `zone` read it (mail subjects). */
export function localStart(startsAt: Date, zone: string): string {
  return DateTime.fromJSDate(startsAt, { zone }).toFormat('yyyy-MM-dd HH:mm');
}
