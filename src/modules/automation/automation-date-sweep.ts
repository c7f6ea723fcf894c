import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { Clock } from '../../core/clock';
import { InvalidFilterError } from '../../core/filters';
import { TenantDatabase } from '../../core/tenancy';
import { JobsService } from '../jobs';
import { RecordUpdaters } from '../../core/targets';
import { AutomationConditions } from './automation-conditions';
import { AUTOMATION_RUN } from './automation.jobs';
import { AutomationRepository, RuleRow } from './automation.repository';
import type { Trigger } from './automation-rules';

/** How often the worker looks for records a `date_relative` rule fires on (hourly). */
export const DATE_SWEEP_INTERVAL_MS = 60 * 60_000;
/** Records one rule fires on per pass (the next pass takes the rest of the day's). */
const PER_RULE = 1_000;
/** Namespace of the deterministic event ids of date runs (uuid v5). */
const DATE_EVENT_NAMESPACE = '8f6a7c1e-4b59-4d1e-9a61-2f1f3c0b7d11';

/**
 * The `date_relative` trigger (SPEC-P3 §8, "N days from a date field"): every hour (and on
 * `flush()`), for each enabled rule, the records whose date field is `offsetDays` before today
 * (UTC) — its condition ANDed, in SQL, through the grammar's relative date tokens — get a run.
 * The run's event id is a uuid v5 of (rule, record, day), so a rule fires once per (rule, record,
 * date) however many passes or workers run (`uq_automation_runs_event`).
 */
@Injectable()
export class AutomationDateSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AutomationDateSweep.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: AutomationRepository,
    private readonly updaters: RecordUpdaters,
    private readonly conditions: AutomationConditions,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.flush().catch((error: Error) => this.logger.warn(`date sweep: ${error.message}`));
    }, DATE_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; resolves to the runs it queued. */
  flush(): Promise<number> {
    this.running ??= this.sweep().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(): Promise<number> {
    const now = this.clock.now();
    const day = now.toISOString().slice(0, 10);
    const rules = await this.db.runAsSystem('background-jobs', (manager) =>
      this.repository.dateRelativeRules(manager),
    );
    let queued = 0;
    for (const rule of rules) {
      try {
        queued += await this.sweepRule(rule, now, day);
      } catch (error) {
        // One rule's failure must not hold the others back; retried next pass.
        this.logger.warn({ ruleId: rule.id, err: error }, 'date sweep of a rule failed');
      }
    }
    return queued;
  }

  private async sweepRule(rule: RuleRow, now: Date, day: string): Promise<number> {
    const orgId = rule.organization_id;
    const updater = this.updaters.get(rule.entity_type);
    const trigger = rule.trigger as Trigger;
    if (!updater || trigger.type !== 'date_relative') return 0;
    let filter;
    try {
      filter = await this.conditions.dateRelative(
        orgId,
        updater,
        rule.condition,
        trigger,
        rule.run_as_user_id,
        now,
      );
    } catch (error) {
      if (error instanceof InvalidFilterError) return 0; // a custom field went away: nothing fires
      throw error;
    }
    const inserted = await this.db.run(orgId, async (manager) => {
      const ids = await this.repository.matchingAll(manager, orgId, updater, filter, PER_RULE);
      return this.repository.insertRuns(
        manager,
        orgId,
        ids.map((id) => ({
          ruleId: rule.id,
          ruleVersion: rule.version,
          eventId: uuidv5(`${rule.id}:${id}:${day}`, DATE_EVENT_NAMESPACE),
          trigger: { type: 'date_relative', date: day },
          entityType: rule.entity_type,
          entityId: id,
          status: 'queued',
          causationDepth: 0,
        })),
      );
    });
    for (const run of inserted) {
      await this.jobs.start(
        AUTOMATION_RUN,
        { runId: run.id },
        orgId,
        { actorUserId: null, actorApiKeyId: null, requestId: run.id, ip: null },
        { dedupeKey: run.id, delayMs: rule.delay_seconds * 1000 },
      );
    }
    return inserted.length;
  }
}
