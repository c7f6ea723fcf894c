import type { Principal } from '../../core/auth';
import type { MeetingDto } from './dto/meeting.dto';

/**
 * Whether `viewer` may see a meeting's join link (SPEC-P3 §10: the link goes to participants
 * only). With provider `none` the host-supplied link is itself the credential to the room, so it
 * is shown to the host, to a participant (by user), and to holders of `meetings:manage`; any
 * other reader (`meetings:read` alone, an API key without manage) sees `joinUrl: null`.
 */
export function mayJoinLinkOf(meeting: MeetingDto, viewer: Principal): boolean {
  if (viewer.permissions.has('meetings:manage')) return true;
  if (!viewer.userId) return false;
  return (
    meeting.hostUserId === viewer.userId ||
    meeting.participants.some((p) => p.userId === viewer.userId)
  );
}

/** `meeting` as `viewer` may see it: the join link removed unless {@link mayJoinLinkOf}. */
export function meetingFor(meeting: MeetingDto, viewer: Principal): MeetingDto {
  return mayJoinLinkOf(meeting, viewer) ? meeting : { ...meeting, joinUrl: null };
}
