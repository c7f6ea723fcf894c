import * as nodeIcal from 'node-ical';
import { meetingCalendar, CalendarMeeting } from './meeting-calendar';
import { instantOf } from './meeting-rules';

const meeting = (overrides: Partial<CalendarMeeting> = {}): CalendarMeeting => ({
  uid: '0190-abc@alees',
  sequence: 0,
  title: 'Weekly review; with, commas\nand a newline',
  description: null,
  startsAt: instantOf('2026-03-29T10:00', 'Europe/Paris')!,
  endsAt: instantOf('2026-03-29T11:00', 'Europe/Paris')!,
  timezone: 'Europe/Paris',
  cancelled: false,
  url: 'https://meet.example.test/room',
  organizer: { name: 'Ada Host', email: 'ada@example.test' },
  attendees: [{ name: 'Bob', email: 'bob@example.test', rsvp: 'accepted' }],
  updatedAt: new Date('2026-03-01T00:00:00Z'),
  ...overrides,
});

/** Parsed by node-ical, a different library from the one that wrote it. */
function parse(text: string) {
  const parsed = nodeIcal.sync.parseICS(text);
  const events = Object.values(parsed).filter((c): c is nodeIcal.VEvent => c?.type === 'VEVENT');
  return { calendar: parsed.vcalendar as unknown as Record<string, unknown>, events };
}

describe('meetingCalendar', () => {
  it('writes instants a third-party parser reads back exactly, across DST', () => {
    const text = meetingCalendar(
      [
        meeting(),
        meeting({
          uid: 'ny@alees',
          startsAt: instantOf('2026-11-01T09:00', 'America/New_York')!,
          endsAt: instantOf('2026-11-01T10:30', 'America/New_York')!,
          timezone: 'America/New_York',
        }),
      ],
      { method: 'REQUEST' },
    );
    const { calendar, events } = parse(text);
    expect(calendar.method).toBe('REQUEST');
    const paris = events.find((e) => e.uid === '0190-abc@alees')!;
    expect(paris.start.toISOString()).toBe('2026-03-29T08:00:00.000Z'); // 10:00 CEST
    expect(paris.end!.toISOString()).toBe('2026-03-29T09:00:00.000Z');
    expect(paris.summary).toBe('Weekly review; with, commas\nand a newline');
    expect(Number(paris.sequence)).toBe(0);
    const ny = events.find((e) => e.uid === 'ny@alees')!;
    expect(ny.start.toISOString()).toBe('2026-11-01T14:00:00.000Z'); // 09:00 EST
    expect(ny.end!.toISOString()).toBe('2026-11-01T15:30:00.000Z');
  });

  it('marks a cancellation (METHOD:CANCEL, STATUS:CANCELLED) with the same UID', () => {
    const { calendar, events } = parse(
      meetingCalendar([meeting({ cancelled: true, sequence: 2 })], { method: 'CANCEL' }),
    );
    expect(calendar.method).toBe('CANCEL');
    expect(events[0].uid).toBe('0190-abc@alees');
    expect(events[0].status).toBe('CANCELLED');
    expect(Number(events[0].sequence)).toBe(2);
  });
});
