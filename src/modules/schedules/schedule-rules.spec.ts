import { isValidCron, nextRun } from './schedule-rules';

const at = (iso: string) => new Date(iso);

describe('schedule rules', () => {
  it('validates cron expressions', () => {
    expect(isValidCron('*/5 * * * *')).toBe(true);
    expect(isValidCron('0 3 * * 1-5')).toBe(true);
    expect(isValidCron('every day')).toBe(false);
    expect(isValidCron('61 * * * *')).toBe(false);
    expect(isValidCron('* *')).toBe(false);
  });

  it('finds the next cron run in UTC, strictly after the given time', () => {
    const rule = { cron: '0 3 * * *', intervalSeconds: null };
    expect(nextRun(rule, at('2026-05-01T02:59:59Z')).toISOString()).toBe(
      '2026-05-01T03:00:00.000Z',
    );
    expect(nextRun(rule, at('2026-05-01T03:00:00Z')).toISOString()).toBe(
      '2026-05-02T03:00:00.000Z',
    );
  });

  it('keeps intervals on their grid and skips missed runs instead of replaying them', () => {
    const rule = { cron: null, intervalSeconds: 60 };
    const previous = at('2026-05-01T00:00:00Z');
    expect(nextRun(rule, at('2026-05-01T00:00:01Z'), previous).toISOString()).toBe(
      '2026-05-01T00:01:00.000Z',
    );
    expect(nextRun(rule, at('2026-05-01T00:10:30Z'), previous).toISOString()).toBe(
      '2026-05-01T00:11:00.000Z',
    );
    expect(nextRun(rule, at('2026-05-01T00:00:00Z')).toISOString()).toBe(
      '2026-05-01T00:01:00.000Z',
    );
    expect(() => nextRun({ cron: null, intervalSeconds: 0 }, previous)).toThrow();
  });
});
