import { defineErrors, rule } from '../../core/http';

/** The activities module's error codes (README "Error codes"). */
export const ActivitiesErrors = defineErrors({
  invalid_assignee: rule((userId: string) => ({
    detail: `User ${userId} is not an active member who can read this record`,
    pointer: '/assigneeUserId',
    meta: { userId },
  })),
});
