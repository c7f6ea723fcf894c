import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import type { Principal } from '../../core/auth';
import { AppError } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { JobContext, JobHandler, JobRegistry } from '../jobs';
import { NotificationsService } from '../notifications';
import { AutomationActionContext, AutomationActionRegistry } from '../../core/automation';
import { AutomationErrors } from './automation.errors';
import { AUTOMATION_RUN, AutomationRunPayload } from './automation.jobs';
import { AutomationRepository, RuleRow, RunRow, StepRecord } from './automation.repository';
import { errorEntry } from './automation-rules.service';
import { MAX_CONSECUTIVE_FAILURES, RuleAction } from './automation-rules';
import { AutomationRulesCache } from './automation-rules.cache';
import { RunAsResolver } from './run-as-resolver';

/** Namespace of the event ids of scheduled runs (uuid v5 of the scheduler's job id). */
const SCHEDULE_EVENT_NAMESPACE = '3d0c5b8e-7f41-4a3e-b1c2-9e5d6f7a8b90';

const TERMINAL = new Set(['succeeded', 'failed', 'skipped', 'loop_prevented']);

/** Whether retrying could help: client errors (4xx) fail the run at once. */
const isPermanent = (error: unknown) => error instanceof AppError && error.status < 500;

/**
 * The worker's `automation.run` handler (SPEC-P3 §8 "Runs"). Claims the run (row lock; a run
 * already finished is left alone, so a redelivered job does nothing), resolves the run-as user
 * again ({@link RunAsResolver}), then runs the rule's actions in order with
 * `context.causation = {depth: run depth + 1, rule, run}` — so their writes publish events the
 * consumer recognises — persisting each step's result as it goes. A retry (Bull attempt or
 * `POST /automation-runs/{id}/retry`) skips the steps that already succeeded. The first failure
 * stops the run: a client error (403/404/422) fails it at once, anything else is retried until the
 * last attempt. A failed run counts against the rule; the 10th in a row disables it and tells its
 * creator (notification `automation.notify`). A rule disabled or deleted meanwhile: the run is
 * `skipped` (manual runs of an enabled rule only).
 */
@Injectable()
export class AutomationRunner implements JobHandler<AutomationRunPayload>, OnModuleInit {
  readonly definition = AUTOMATION_RUN;
  private readonly logger = new Logger(AutomationRunner.name);

  constructor(
    private readonly jobs: JobRegistry,
    private readonly db: TenantDatabase,
    private readonly repository: AutomationRepository,
    private readonly actions: AutomationActionRegistry,
    private readonly runAs: RunAsResolver,
    private readonly notifications: NotificationsService,
    private readonly cache: AutomationRulesCache,
  ) {}

  onModuleInit(): void {
    this.jobs.register(this);
  }

  async run(job: JobContext<AutomationRunPayload>): Promise<{ status: string }> {
    const orgId = job.organizationId;
    const runId =
      'runId' in job.payload
        ? job.payload.runId
        : await this.scheduledRun(orgId, job.payload.ruleId, job.taskId);
    if (!runId) return { status: 'skipped' };
    const claimed = await this.claim(orgId, runId);
    if ('status' in claimed) return claimed;
    const { run, rule } = claimed;
    const steps: StepRecord[] = [...run.steps];
    let actor: Principal;
    try {
      actor = await this.runAs.resolve(orgId, rule.run_as_user_id);
    } catch (error) {
      return this.fail(orgId, run, rule, steps, { index: 0, action: 'run_as', error }, true);
    }
    const actions = rule.actions as RuleAction[];
    for (const [index, action] of actions.entries()) {
      if (steps[index]?.status === 'succeeded') continue;
      const startedAt = new Date().toISOString();
      try {
        const registered = this.actions.get(action.type);
        if (!registered) throw AutomationErrors.unknown_action(index, action.type, []);
        const result = await registered.run(this.contextOf(run, rule, actor), action.params);
        steps[index] = {
          action: action.type,
          status: result.status,
          output: result.output,
          error: null,
          startedAt,
          finishedAt: new Date().toISOString(),
        };
        await this.db.run(orgId, (manager) =>
          this.repository.updateRun(manager, orgId, run.id, { status: 'running', steps }),
        );
      } catch (error) {
        const last = isPermanent(error) || job.attempt >= (AUTOMATION_RUN.attempts ?? 1);
        return this.fail(
          orgId,
          run,
          rule,
          steps,
          { index, action: action.type, error, startedAt },
          last,
        );
      }
    }
    await this.db.run(orgId, async (manager) => {
      await this.repository.updateRun(manager, orgId, run.id, {
        status: 'succeeded',
        steps,
        error: null,
      });
      await this.repository.resetFailures(manager, orgId, rule.id);
    });
    return { status: 'succeeded' };
  }

  /**
   * The run of one tick of a rule's schedule (the scheduler's job id is unique per tick, so its
   * uuid v5 is the event id: a redelivered tick finds the same run); null when the rule is gone
   * or disabled (its schedule is disabled with it, a tick may still be in flight).
   */
  private scheduledRun(orgId: string, ruleId: string, taskId: string): Promise<string | null> {
    const eventId = uuidv5(taskId, SCHEDULE_EVENT_NAMESPACE);
    return this.db.run(orgId, async (manager) => {
      const rule = await this.repository.findRule(manager, orgId, ruleId);
      if (!rule || !rule.enabled) return null;
      const [inserted] = await this.repository.insertRuns(manager, orgId, [
        {
          ruleId,
          ruleVersion: rule.version,
          eventId,
          trigger: { type: 'schedule', tick: taskId },
          entityType: null,
          entityId: null,
          status: 'queued',
          causationDepth: 0,
        },
      ]);
      return (
        inserted?.id ??
        (await this.repository.findRunByEvent(manager, orgId, ruleId, eventId))?.id ??
        null
      );
    });
  }

  /** Locks the run and marks it running (attempts + 1), or says why there is nothing to do. */
  private claim(
    orgId: string,
    runId: string,
  ): Promise<{ run: RunRow; rule: RuleRow } | { status: string }> {
    return this.db.run(orgId, async (manager) => {
      const run = await this.repository.lockRun(manager, orgId, runId);
      if (!run) return { status: 'gone' };
      if (TERMINAL.has(run.status)) return { status: run.status };
      const rule = await this.repository.findRule(manager, orgId, run.rule_id);
      if (!rule || !rule.enabled) {
        await this.repository.updateRun(manager, orgId, run.id, {
          status: 'skipped',
          error: { code: 'rule_disabled', detail: 'The rule was disabled before the run started' },
        });
        return { status: 'skipped' };
      }
      await this.repository.updateRun(manager, orgId, run.id, {
        status: 'running',
        attempts: run.attempts + 1,
      });
      return { run, rule };
    });
  }

  /**
   * Records a failed step. On the last attempt (or a permanent error) the run fails and counts
   * against the rule; otherwise the run goes back to `queued` and the error is rethrown so Bull
   * retries it.
   */
  private async fail(
    orgId: string,
    run: RunRow,
    rule: RuleRow,
    steps: StepRecord[],
    failure: { index: number; action: string; error: unknown; startedAt?: string },
    last: boolean,
  ): Promise<{ status: string }> {
    const entry = errorEntry(failure.error);
    if (!(failure.error instanceof AppError)) {
      this.logger.error(
        { runId: run.id, ruleId: rule.id, action: failure.action, err: failure.error },
        'automation step failed unexpectedly',
      );
    }
    const now = new Date().toISOString();
    if (failure.action !== 'run_as') {
      steps[failure.index] = {
        action: failure.action,
        status: 'failed',
        output: null,
        error: entry,
        startedAt: failure.startedAt ?? now,
        finishedAt: now,
      };
    }
    if (!last) {
      await this.db.run(orgId, (manager) =>
        this.repository.updateRun(manager, orgId, run.id, {
          status: 'queued',
          steps,
          error: entry,
        }),
      );
      throw failure.error;
    }
    const disabled = await this.db.run(orgId, async (manager) => {
      await this.repository.updateRun(manager, orgId, run.id, {
        status: 'failed',
        steps,
        error: entry,
      });
      const after = await this.repository.recordFailure(
        manager,
        orgId,
        rule.id,
        MAX_CONSECUTIVE_FAILURES,
        `Disabled after ${MAX_CONSECUTIVE_FAILURES} consecutive failed runs`,
      );
      const justDisabled = after !== undefined && rule.enabled && !after.enabled;
      if (justDisabled && after.created_by_user_id) {
        const notified = await this.notifications.notify(manager, {
          organizationId: orgId,
          recipientUserIds: [after.created_by_user_id],
          type: 'automation.notify',
          actorUserId: null,
          title: `Automation rule “${after.name}” was disabled after ${MAX_CONSECUTIVE_FAILURES} failed runs`,
          body: typeof entry.detail === 'string' ? entry.detail : undefined,
          actionPath: `/api/v1/automation-rules/${after.id}`,
          data: { automationRuleId: after.id },
          dedupeKey: `automation-disabled:${after.id}:${after.version}`,
          level: 'warning',
        });
        return notified.afterCommit;
      }
      return justDisabled ? () => undefined : null;
    });
    if (disabled) {
      this.cache.invalidate(orgId);
      disabled();
    }
    return { status: 'failed' };
  }

  private contextOf(run: RunRow, rule: RuleRow, actor: Principal): AutomationActionContext {
    const trigger = run.trigger as {
      eventType?: string;
      changedFields?: string[];
      data?: Record<string, unknown>;
    };
    return {
      organizationId: run.organization_id,
      actor,
      context: {
        actorUserId: actor.userId,
        actorApiKeyId: null,
        requestId: run.id,
        ip: null,
        causation: {
          depth: run.causation_depth + 1,
          automationRuleId: rule.id,
          automationRunId: run.id,
        },
      },
      target:
        run.entity_type && run.entity_id
          ? { entityType: run.entity_type, entityId: run.entity_id }
          : null,
      event: trigger.eventType
        ? {
            eventId: run.event_id,
            type: trigger.eventType,
            changedFields: trigger.changedFields ?? [],
            data: trigger.data ?? {},
            causationDepth: run.causation_depth,
          }
        : null,
      ruleId: rule.id,
      runId: run.id,
    };
  }
}
