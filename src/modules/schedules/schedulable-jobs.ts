import { STOCK_RECONCILE } from '../stock';
import type { JobDefinition } from '../jobs';

/** Tasks an organization may put on a schedule (their payload comes from the schedule). */
export const SCHEDULABLE_JOBS: readonly JobDefinition[] = [STOCK_RECONCILE];
export const SCHEDULABLE_TASK_NAMES = SCHEDULABLE_JOBS.map((t) => t.name);
