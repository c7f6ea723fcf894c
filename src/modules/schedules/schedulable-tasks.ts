import { STOCK_RECONCILE } from '../stock';
import type { TaskDefinition } from '../tasks';

/** Tasks an organization may put on a schedule (their payload comes from the schedule). */
export const SCHEDULABLE_TASKS: readonly TaskDefinition[] = [STOCK_RECONCILE];
export const SCHEDULABLE_TASK_NAMES = SCHEDULABLE_TASKS.map((t) => t.name);
