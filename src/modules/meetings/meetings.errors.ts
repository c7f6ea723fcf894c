import { conflict, defineErrors, forbidden, unauthorized } from '../../core/http';

/** The meetings module's error codes (README "Error codes"). */
export const MeetingsErrors = defineErrors({
  not_meeting_host: forbidden(() => ({
    detail: 'Only the host or a holder of meetings:manage may change this meeting',
  })),
  meeting_cancelled: conflict((status: string) => ({
    detail: `The meeting is ${status}: it can no longer change or be joined`,
    meta: { status },
  })),
  join_window_closed: conflict((window: 'early' | 'over') => ({
    detail:
      window === 'early'
        ? 'Joining opens 15 minutes before the start'
        : 'The meeting is over: joining has closed',
    meta: { window },
  })),
  not_a_participant: forbidden(() => ({
    detail: 'Only the host and the participants may do this',
  })),
  host_cannot_be_removed: conflict(() => ({
    detail: 'The host stays a participant of their meeting',
  })),
  invalid_webhook_signature: unauthorized(
    () => 'The webhook signature is missing, wrong or older than 5 minutes',
  ),
});
