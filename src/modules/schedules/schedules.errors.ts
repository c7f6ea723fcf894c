import { defineErrors, rule } from '../../core/http';

/** The schedules module's error codes (README "Error codes"). */
export const SchedulesErrors = defineErrors({
  invalid_schedule: rule(() => ({
    detail: 'Give either cron or intervalSeconds, not both',
    pointer: '/cron',
  })),
});
