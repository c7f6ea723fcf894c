import { defineErrors, failure, forbidden } from '../../core/http';

/** The tasks module's error codes (README "Error codes"): what a failed task reports. */
export const JobsErrors = defineErrors({
  task_stalled: failure(
    503,
    () => 'The worker running this task stopped; it was not retried again',
  ),
  /** A job that writes, queued before its organization was archived, came up after the archive. */
  organization_archived: forbidden((organizationId: string) => ({
    detail: 'This organization was archived before the task ran: it was not run',
    meta: { organizationId },
  })),
});
