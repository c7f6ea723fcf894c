import { localDate, stateOf } from './activity-state';

describe('activity state', () => {
  it('derives the state from the due date against today', () => {
    expect(stateOf('2026-01-09', false, '2026-01-10')).toBe('overdue');
    expect(stateOf('2026-01-10', false, '2026-01-10')).toBe('today');
    expect(stateOf('2026-01-11', false, '2026-01-10')).toBe('planned');
    expect(stateOf('2026-01-09', true, '2026-01-10')).toBe('done');
  });

  it("takes today in the organization's time zone, UTC for an unknown one", () => {
    const instant = new Date('2026-01-10T23:30:00Z');
    expect(localDate(instant, 'UTC')).toBe('2026-01-10');
    expect(localDate(instant, 'Europe/Paris')).toBe('2026-01-11');
    expect(localDate(instant, 'America/New_York')).toBe('2026-01-10');
    expect(localDate(instant, 'Mars/Olympus')).toBe('2026-01-10');
  });
});
