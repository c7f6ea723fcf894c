import {
  canonicalTimeZone,
  instantOf,
  intervalProblem,
  joinTokenExpiry,
  joinWindow,
  localStart,
} from './meeting-rules';

describe('meeting rules', () => {
  it('accepts IANA zones (canonical spelling) and refuses anything else', () => {
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    for (const bad of [
      'Mars/Olympus',
      'UTC+2',
      '',
      'Europe/Paris\u0000',
      '../etc',
      'x'.repeat(200),
    ]) {
      expect(canonicalTimeZone(bad)).toBeNull();
    }
  });

  it('reads a wall-clock time in the zone across DST changes', () => {
    // Europe/Paris moves to CEST on 2026-03-29 at 02:00.
    expect(instantOf('2026-03-28T10:00', 'Europe/Paris')?.toISOString()).toBe(
      '2026-03-28T09:00:00.000Z',
    );
    expect(instantOf('2026-03-29T10:00', 'Europe/Paris')?.toISOString()).toBe(
      '2026-03-29T08:00:00.000Z',
    );
    // America/New_York leaves EDT on 2026-11-01 at 02:00.
    expect(instantOf('2026-10-31T09:00:00', 'America/New_York')?.toISOString()).toBe(
      '2026-10-31T13:00:00.000Z',
    );
    expect(instantOf('2026-11-01T09:00:00', 'America/New_York')?.toISOString()).toBe(
      '2026-11-01T14:00:00.000Z',
    );
    // An explicit offset is an instant, whatever the zone.
    expect(instantOf('2026-03-29T10:00:00+02:00', 'America/New_York')?.toISOString()).toBe(
      '2026-03-29T08:00:00.000Z',
    );
  });

  it('refuses local times a DST jump skips, impossible dates and garbage', () => {
    expect(instantOf('2026-03-29T02:30', 'Europe/Paris')).toBeNull();
    expect(instantOf('2026-02-30T10:00', 'Europe/Paris')).toBeNull();
    expect(instantOf('tomorrow', 'Europe/Paris')).toBeNull();
    expect(instantOf('2026-03-29T10:00Z\u0000', 'Europe/Paris')).toBeNull();
  });

  it('bounds the interval: end after start, at most 24 hours', () => {
    const at = (iso: string) => new Date(iso);
    expect(intervalProblem(at('2026-01-01T10:00Z'), at('2026-01-01T10:00Z'))).toBe(
      'end_before_start',
    );
    expect(intervalProblem(at('2026-01-01T10:00Z'), at('2026-01-02T10:00Z'))).toBeNull();
    expect(intervalProblem(at('2026-01-01T10:00Z'), at('2026-01-02T10:00:01Z'))).toBe('too_long');
  });

  it('opens joining 15 minutes before the start until the end; tokens live at most 2 hours', () => {
    const start = new Date('2026-01-01T10:00:00Z');
    const end = new Date('2026-01-01T15:00:00Z');
    expect(joinWindow(new Date('2026-01-01T09:44:59Z'), start, end)).toBe('early');
    expect(joinWindow(new Date('2026-01-01T09:45:00Z'), start, end)).toBe('open');
    expect(joinWindow(end, start, end)).toBe('over');
    expect(joinTokenExpiry(new Date('2026-01-01T10:00:00Z'), end).toISOString()).toBe(
      '2026-01-01T12:00:00.000Z',
    );
    expect(joinTokenExpiry(new Date('2026-01-01T14:00:00Z'), end)).toEqual(end);
    expect(localStart(new Date('2026-03-29T08:00:00Z'), 'Europe/Paris')).toBe('2026-03-29 10:00');
  });
});
