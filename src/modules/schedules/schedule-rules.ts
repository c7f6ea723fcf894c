import { CronExpressionParser } from 'cron-parser';

export interface ScheduleRule {
  cron: string | null;
  intervalSeconds: number | null;
}

/** Whether `expression` is a valid 5- or 6-field cron expression. */
export function isValidCron(expression: string): boolean {
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return expression.trim().split(/\s+/).length >= 5;
  } catch {
    return false;
  }
}

/**
 * The shortest gap, in seconds, between consecutive runs of a valid cron expression (UTC), over
 * its next `samples` runs after `from` (enough to see every minute/hour pattern of a day; used
 * to hold automation schedules at least 5 minutes apart).
 */
export function cronMinGapSeconds(expression: string, from = new Date(), samples = 300): number {
  const runs = CronExpressionParser.parse(expression, { currentDate: from, tz: 'UTC' });
  let previous = runs.next().toDate().getTime();
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < samples && runs.hasNext(); i++) {
    const next = runs.next().toDate().getTime();
    gap = Math.min(gap, (next - previous) / 1000);
    previous = next;
  }
  return gap;
}

/**
 * The next run strictly after `after`. Cron expressions are read in UTC. An interval continues from
 * the previous planned run (`previous`) so runs do not drift, but never schedules into the past:
 * after downtime it skips missed runs instead of replaying a backlog.
 */
export function nextRun(rule: ScheduleRule, after: Date, previous?: Date | null): Date {
  if (rule.cron) {
    return CronExpressionParser.parse(rule.cron, { currentDate: after, tz: 'UTC' }).next().toDate();
  }
  const step = (rule.intervalSeconds ?? 0) * 1000;
  if (step <= 0) throw new Error('A schedule needs a cron expression or a positive interval');
  if (!previous) return new Date(after.getTime() + step);
  const missed = Math.max(0, Math.floor((after.getTime() - previous.getTime()) / step));
  return new Date(previous.getTime() + (missed + 1) * step);
}
