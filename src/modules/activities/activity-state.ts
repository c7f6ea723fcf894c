/** The derived state of an activity (SPEC-P3 §3): never stored, computed against "today". */
export const ACTIVITY_STATES = ['overdue', 'today', 'planned', 'done'] as const;
export type ActivityState = (typeof ACTIVITY_STATES)[number];

/** The activity types (a code list, as Odoo's default activity types). */
export const ACTIVITY_TYPES = ['todo', 'call', 'meeting', 'email', 'deadline'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/**
 * The calendar date (`YYYY-MM-DD`) of instant `now` in IANA time zone `timeZone` (the
 * organization's; UTC when it has none or an unknown one).
 */
export function localDate(now: Date, timeZone: string): string {
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
  } catch {
    zone = 'UTC'; // a zone this runtime does not know: fall back as for an organization without one
  }
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** overdue (due before today), today, planned (due later) — or done once marked done. */
export function stateOf(dueDate: string, done: boolean, today: string): ActivityState {
  if (done) return 'done';
  if (dueDate < today) return 'overdue';
  return dueDate === today ? 'today' : 'planned';
}
