import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import type { RsvpResponse } from './meeting.entity';

/** One meeting as a calendar shows it (times are instants; `timezone` is informational). */
export interface CalendarMeeting {
  uid: string;
  sequence: number;
  title: string;
  description: string | null;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  cancelled: boolean;
  url: string | null;
  organizer: { name: string; email: string };
  attendees: { name: string | null; email: string; rsvp: RsvpResponse }[];
  updatedAt: Date;
}

const PARTSTAT: Record<RsvpResponse, ICalAttendeeStatus> = {
  needs_action: ICalAttendeeStatus.NEEDSACTION,
  accepted: ICalAttendeeStatus.ACCEPTED,
  declined: ICalAttendeeStatus.DECLINED,
  tentative: ICalAttendeeStatus.TENTATIVE,
};

/**
 * An iCalendar document (RFC 5545, built by `ical-generator`) of `meetings`: `method` REQUEST for
 * an invitation or its update, CANCEL for a cancellation, none for a download or a feed. Times are
 * written in UTC (`DTSTART:…Z`): ical-generator writes a `TZID` time only with a date library
 * plugged in (without one it would print the UTC time as local), and a UTC instant imports at the
 * right local time in every client, across DST changes; the meeting's zone travels as
 * `X-ALEES-TIMEZONE`. `UID` is the meeting's stable `icsUid`, `SEQUENCE` its `icsSequence`.
 */
export function meetingCalendar(
  meetings: CalendarMeeting[],
  options: { method?: 'REQUEST' | 'CANCEL'; name?: string } = {},
): string {
  const calendar = ical({
    prodId: { company: 'Alees', product: 'Meetings', language: 'EN' },
    ...(options.method && {
      method: options.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    }),
    ...(options.name && { name: options.name }),
  });
  for (const meeting of meetings) {
    calendar.createEvent({
      id: meeting.uid,
      sequence: meeting.sequence,
      start: meeting.startsAt,
      end: meeting.endsAt,
      stamp: meeting.updatedAt,
      lastModified: meeting.updatedAt,
      summary: meeting.title,
      description: meeting.description ?? undefined,
      url: meeting.url ?? undefined,
      location: meeting.url ?? undefined,
      status: meeting.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      organizer: meeting.organizer,
      attendees: meeting.attendees.map((attendee) => ({
        email: attendee.email,
        name: attendee.name ?? undefined,
        role: ICalAttendeeRole.REQ,
        status: PARTSTAT[attendee.rsvp],
        rsvp: true,
      })),
      x: [{ key: 'X-ALEES-TIMEZONE', value: meeting.timezone }],
    });
  }
  return calendar.toString();
}
