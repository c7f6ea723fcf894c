import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../core/config';
import { InvalidFilterError } from '../../core/filters';
import { DomainEvent, DomainEventConsumer, DomainEventConsumers } from '../domain-events';
import { JobsService } from '../jobs';
import { RecordUpdaters } from '../../core/targets';
import { AutomationConditions } from './automation-conditions';
import { AUTOMATION_RUN } from './automation.jobs';
import { AutomationRepository, NewRun, RuleRow } from './automation.repository';
import { AutomationRulesCache } from './automation-rules.cache';
import { causingRuleId, matchTrigger, MAX_CAUSATION_DEPTH, Trigger } from './automation-rules';

interface Firing {
  event: DomainEvent;
  entityId: string;
}

/**
 * The `automation` domain-event consumer (worker, SPEC-P3 §8): matches committed events to the
 * enabled rules of their organization (cached, {@link AutomationRulesCache}), checks each rule's
 * condition in SQL — one query per (rule, batch): the compiled filter AND `id = ANY($ids)` — and
 * records runs in the relay's transaction, at most one per (rule, event) (ON CONFLICT DO NOTHING,
 * so a redelivered event fires nothing twice). Runs are queued (`automation.run`) after the commit.
 *
 * - An event written by a rule's own run (`data.causation.automationRuleId`) never fires that
 *   rule; nothing is recorded for it.
 * - An event of `causationDepth >= 3` that would fire a rule records a `loop_prevented` run and
 *   runs nothing, so no write of depth > 3 ever happens.
 * - A rule whose condition no longer compiles (a custom field was deleted) records a `skipped` run
 *   with the `invalid_filter` error instead of throwing (a throw would retry the whole batch).
 */
@Injectable()
export class AutomationEventConsumer implements DomainEventConsumer, OnModuleInit {
  readonly name = 'automation';
  private readonly logger = new Logger(AutomationEventConsumer.name);

  constructor(
    private readonly consumers: DomainEventConsumers,
    private readonly cache: AutomationRulesCache,
    private readonly repository: AutomationRepository,
    private readonly updaters: RecordUpdaters,
    private readonly conditions: AutomationConditions,
    private readonly jobs: JobsService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  async handle(
    manager: EntityManager,
    events: readonly DomainEvent[],
  ): Promise<() => Promise<void>> {
    const byOrg = new Map<string, DomainEvent[]>();
    for (const event of events) {
      if (!event.organizationId) continue;
      const list = byOrg.get(event.organizationId) ?? [];
      list.push(event);
      byOrg.set(event.organizationId, list);
    }
    const queued: { orgId: string; runId: string; delayMs: number }[] = [];
    for (const [orgId, orgEvents] of byOrg) {
      // Rule writes split the organization's events: later events see the rules as written.
      let segment: DomainEvent[] = [];
      for (const event of orgEvents) {
        if (event.type.startsWith('automation_rule.')) {
          queued.push(...(await this.fire(manager, orgId, segment)));
          segment = [];
          this.cache.invalidate(orgId);
        } else segment.push(event);
      }
      queued.push(...(await this.fire(manager, orgId, segment)));
    }
    return async () => {
      for (const run of queued) {
        try {
          await this.jobs.start(
            AUTOMATION_RUN,
            { runId: run.runId },
            run.orgId,
            { actorUserId: null, actorApiKeyId: null, requestId: run.runId, ip: null },
            { dedupeKey: run.runId, delayMs: run.delayMs },
          );
        } catch (error) {
          // The run stays `queued`; AutomationMaintenance re-enqueues it.
          this.logger.error(
            { runId: run.runId, err: error },
            'could not enqueue an automation run',
          );
        }
      }
    };
  }

  /** Records the runs `events` fire in one organization; returns those to queue. */
  private async fire(
    manager: EntityManager,
    orgId: string,
    events: readonly DomainEvent[],
  ): Promise<{ orgId: string; runId: string; delayMs: number }[]> {
    if (events.length === 0) return [];
    const rules = await this.cache.enabledRules(manager, orgId);
    if (rules.length === 0) return [];
    const runs: NewRun[] = [];
    for (const rule of rules) {
      const firings: Firing[] = [];
      for (const event of events) {
        if (causingRuleId(event.data ?? {}) === rule.id) continue;
        const target = matchTrigger(rule.trigger as Trigger, rule.entity_type, {
          type: event.type,
          entityType: event.entityType,
          entityId: event.entityId,
          changedFields: event.changedFields ?? [],
          data: event.data ?? {},
        });
        if (target) firings.push({ event, entityId: target.entityId });
      }
      if (firings.length > 0) runs.push(...(await this.runsOf(manager, orgId, rule, firings)));
    }
    if (runs.length === 0) return [];
    const toRun = runs.filter((r) => r.status === 'queued');
    if (toRun.length > 0) {
      const recent = await this.repository.recentRunCount(manager, orgId, 60);
      // Runs an organization may start per minute (SPEC-P3 §8 "per-org rate limit",
      // AUTOMATION_RUNS_PER_MINUTE): beyond it, matching events record `skipped` runs with error
      // `rate_limited` (visible in `GET /automation-runs`).
      const limit = this.config.automation.runsPerMinute;
      const allowed = Math.max(0, limit - recent);
      for (const run of toRun.slice(allowed)) {
        run.status = 'skipped';
        run.error = {
          code: 'rate_limited',
          detail: `More than ${limit} automation runs in a minute`,
        };
      }
    }
    const inserted = await this.repository.insertRuns(manager, orgId, runs);
    const delays = new Map(rules.map((r) => [r.id, r.delay_seconds * 1000]));
    return inserted
      .filter((r) => r.status === 'queued')
      .map((r) => ({ orgId, runId: r.id, delayMs: delays.get(r.rule_id) ?? 0 }));
  }

  /** The runs of one rule for its firings: condition checked in one query for all of them. */
  private async runsOf(
    manager: EntityManager,
    orgId: string,
    rule: RuleRow,
    firings: Firing[],
  ): Promise<NewRun[]> {
    const updater = this.updaters.get(rule.entity_type);
    const trigger = rule.trigger as Trigger;
    const base = (firing: Firing): NewRun => ({
      ruleId: rule.id,
      ruleVersion: rule.version,
      eventId: firing.event.eventId,
      trigger: {
        type: trigger.type,
        eventType: firing.event.type,
        changedFields: firing.event.changedFields ?? [],
      },
      entityType: rule.entity_type,
      entityId: firing.entityId,
      causationDepth: firing.event.causationDepth ?? 0,
      status: 'queued',
    });
    let matched: Set<string> | null = null; // null: no condition, every firing matches
    if (!updater) {
      return firings.map((f) => ({
        ...base(f),
        status: 'skipped',
        error: { code: 'unknown_entity_type', detail: `${rule.entity_type} is not registered` },
      }));
    }
    try {
      const filter = await this.conditions.compile(
        orgId,
        updater,
        rule.condition,
        trigger,
        rule.run_as_user_id,
      );
      if (filter) {
        const ids = [...new Set(firings.map((f) => f.entityId))];
        matched = await this.conditions.matching(manager, orgId, updater, ids, filter);
      }
    } catch (error) {
      if (!(error instanceof InvalidFilterError)) throw error;
      return firings.map((f) => ({
        ...base(f),
        status: 'skipped',
        error: { code: 'invalid_filter', detail: error.detail, meta: { path: error.path } },
      }));
    }
    const runs: NewRun[] = [];
    for (const firing of firings) {
      if (matched && !matched.has(firing.entityId)) continue;
      const run = base(firing);
      if (run.causationDepth >= MAX_CAUSATION_DEPTH) run.status = 'loop_prevented';
      runs.push(run);
    }
    return runs;
  }
}
