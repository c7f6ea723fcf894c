import { defineErrors, failure } from '../../core/http';

/** The tasks module's error codes (README "Error codes"): what a failed task reports. */
export const JobsErrors = defineErrors({
  task_stalled: failure(
    503,
    () => 'The worker running this task stopped; it was not retried again',
  ),
});
