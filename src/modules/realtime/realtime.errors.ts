import { defineErrors, rule } from '../../core/http';

/** The realtime module's error codes (README "Error codes"): chat. */
export const RealtimeErrors = defineErrors({
  /** `pointer`: the participant that is not a member, e.g. `/participantIds/1`. */
  not_a_member: rule((pointer: string) => ({
    detail: 'Participants must be members of this organization',
    pointer,
  })),
});
