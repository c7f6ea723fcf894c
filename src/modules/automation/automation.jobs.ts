import { defineJob } from '../jobs';

/**
 * Payload of `automation.run`: the run to execute (its rule, record and event are in the row), or
 * — from the rule's schedule (`schedule` trigger) — the rule, for which the tick records a run.
 */
export type AutomationRunPayload = { runId: string } | { ruleId: string };

/**
 * One automation run (issue 19). 3 attempts, backoff 2 s then 4 s; a step that fails with a
 * client error (403, 404, 422…) fails the run at once (retrying cannot help), anything else is
 * retried without redoing the steps that succeeded (their results are kept in the run).
 */
export const AUTOMATION_RUN = defineJob<AutomationRunPayload>({
  name: 'automation.run',
  attempts: 3,
  backoffMs: 2_000,
});
