import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext, Principal } from '../../core/auth';
import { iso } from '../../core/database';
import { InvalidFilterError } from '../../core/filters';
import {
  AppError,
  assertVersionMatches,
  defineList,
  ExpectedVersion,
  FieldIssue,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
  ValidationFailedError,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { JobsService } from '../jobs';
import { MemberDirectory } from '../memberships';
import { cronMinGapSeconds, isValidCron, OwnedSchedules } from '../schedules';
import { RecordFields } from './actions/record-fields';
import { AutomationActionContext, AutomationActionRegistry } from '../../core/automation';
import { RecordUpdater, RecordUpdaters, TargetRegistry } from '../../core/targets';
import { AutomationConditions } from './automation-conditions';
import { AutomationErrors } from './automation.errors';
import { AUTOMATION_RUN } from './automation.jobs';
import {
  AutomationRepository,
  RuleFields,
  RuleFilter,
  RuleRow,
  RuleSort,
  StepRecord,
} from './automation.repository';
import { RunAsResolver } from './run-as-resolver';
import {
  maskSecrets,
  MIN_SCHEDULE_GAP_SECONDS,
  restoreSecrets,
  unusableSecrets,
  RuleAction,
  schemaIssues,
  Trigger,
  TRIGGER_SCHEMAS,
  TRIGGER_TYPES,
  triggerIssues,
} from './automation-rules';
import type {
  AutomationCatalogDto,
  AutomationRuleDto,
  CreateAutomationRuleDto,
  RuleTestResultDto,
  UpdateAutomationRuleDto,
} from './dto/automation.dto';

export const AUTOMATION_RULE_LIST: ListDefinition<RuleSort, RuleFilter> = defineList({
  resource: 'automation-rules',
  sortable: ['name', 'createdAt'],
  defaultSort: 'name',
  filters: { entityType: 'string', enabled: 'boolean' },
  fields: {
    id: { type: 'uuid', column: 'automation_rules.id' },
    name: { type: 'string', column: 'automation_rules.name' },
    entityType: { type: 'text', column: 'automation_rules.entity_type' },
    enabled: { type: 'boolean', column: 'automation_rules.enabled' },
    runAsUserId: { type: 'uuid', column: 'automation_rules.run_as_user_id' },
    createdAt: { type: 'datetime', column: 'automation_rules.created_at' },
  },
});

/** The JSON Schema of a rule's `actions` list (each item's params are checked per action). */
const ACTIONS_SCHEMA = {
  type: 'array',
  minItems: 1,
  maxItems: 20,
  items: {
    type: 'object',
    required: ['type', 'params'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,49}$' },
      params: { type: 'object' },
    },
  },
};

/** The audited fields of a rule (an update that changes none of them writes nothing). */
const AUDITED: (keyof AutomationRuleDto)[] = [
  'name',
  'description',
  'entityType',
  'trigger',
  'condition',
  'actions',
  'runAsUserId',
  'enabled',
  'delaySeconds',
];

/** Who writes a rule: their permissions bound those of its run-as user. */
export type RuleAuthor = Pick<Principal, 'userId' | 'apiKeyId' | 'isSuperuser' | 'permissions'>;

/** A rule row as the API shows it. */
export const toRuleDto = (row: RuleRow): AutomationRuleDto => ({
  id: row.id,
  name: row.name,
  description: row.description,
  entityType: row.entity_type,
  trigger: row.trigger as Record<string, unknown>,
  condition: row.condition as Record<string, unknown> | null,
  actions: maskSecrets(row.actions as RuleAction[]),
  runAsUserId: row.run_as_user_id,
  createdByUserId: row.created_by_user_id,
  enabled: row.enabled,
  delaySeconds: row.delay_seconds,
  consecutiveFailures: row.consecutive_failures,
  disabledReason: row.disabled_reason,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/**
 * Automation rules (SPEC-P3 §8): CRUD with If-Match, enable/disable, the dry run and the manual
 * run. A rule is checked whole when saved: a known entity type (one with a {@link RecordUpdater}),
 * a trigger of the catalog (ajv), a condition the entity type's list accepts (422
 * `invalid_filter`, `source.parameter: condition`), known actions whose params match their
 * `paramsSchema` (422 at `/actions/<i>/params/...`), and a run-as user who is an active member of
 * the organization (422 `invalid_run_as_user`; default: the creator). Writes are audited
 * (`automation_rule.created|updated|deleted`); their events also tell the worker's consumer to
 * reload the organization's rules.
 */
@Injectable()
export class AutomationRulesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: AutomationRepository,
    private readonly audit: AuditService,
    private readonly actions: AutomationActionRegistry,
    private readonly updaters: RecordUpdaters,
    private readonly conditions: AutomationConditions,
    private readonly fields: RecordFields,
    private readonly members: MemberDirectory,
    private readonly runAs: RunAsResolver,
    private readonly jobs: JobsService,
    private readonly schedules: OwnedSchedules,
    private readonly targets: TargetRegistry,
  ) {}

  list(orgId: string, query: ListQuery<RuleSort, RuleFilter>): Promise<Page<AutomationRuleDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.listRules(manager, orgId, query);
      return toPage(rows.map(toRuleDto), total, query);
    });
  }

  get(orgId: string, id: string): Promise<AutomationRuleDto> {
    return this.db.read(orgId, async (manager) => toRuleDto(await this.find(manager, orgId, id)));
  }

  /** Creates a rule (see the class for the checks); `runAsUserId` defaults to the creator. */
  async create(
    orgId: string,
    dto: CreateAutomationRuleDto,
    context: AuditContext,
    caller: RuleAuthor,
  ): Promise<AutomationRuleDto> {
    const runAsUserId = dto.runAsUserId ?? context.actorUserId;
    if (!runAsUserId) throw AutomationErrors.invalid_run_as_user();
    await this.assertMayActAs(orgId, caller, runAsUserId);
    const fields: RuleFields = {
      name: dto.name,
      description: dto.description ?? null,
      entityType: dto.entityType,
      trigger: dto.trigger,
      condition: dto.condition ?? null,
      actions: dto.actions,
      runAsUserId,
      enabled: dto.enabled ?? true,
      delaySeconds: dto.delaySeconds ?? 0,
    };
    await this.check(orgId, fields);
    return this.db.run(orgId, async (manager) => {
      await this.assertRunAs(manager, orgId, runAsUserId);
      const id = uuidv7();
      const row = await this.repository.insertRule(manager, orgId, id, context.actorUserId, fields);
      await this.syncSchedule(manager, orgId, id, fields);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'automation_rule',
        entityId: id,
        changes: { ...fields, actions: maskSecrets(fields.actions as RuleAction[]) },
        context,
      });
      return toRuleDto(row);
    });
  }

  /** Changes a rule (If-Match honoured, 412); the merged rule is checked as on create. */
  async update(
    orgId: string,
    id: string,
    dto: UpdateAutomationRuleDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
    caller: RuleAuthor,
  ): Promise<AutomationRuleDto> {
    const current = await this.db.read(orgId, (manager) => this.find(manager, orgId, id));
    const fields = this.merge(current, dto);
    await this.assertMayActAs(orgId, caller, fields.runAsUserId);
    await this.check(orgId, fields);
    return this.write(orgId, id, expectedVersion, context, () => fields);
  }

  /**
   * Enables or disables a rule (enabling clears the failure streak and `disabledReason`). Enabling
   * checks the run-as user as saving does: still an active member (422 `invalid_run_as_user`),
   * and the caller may act as them (403 `run_as_not_permitted`) — a rule disabled after its
   * run-as user lost access must not be switched back on by someone who could not have written it.
   */
  async setEnabled(
    orgId: string,
    id: string,
    enabled: boolean,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
    caller: RuleAuthor,
  ): Promise<AutomationRuleDto> {
    return this.write(
      orgId,
      id,
      expectedVersion,
      context,
      (row) => ({ ...this.merge(row, {}), enabled }),
      // Checked on the row the write locks: a run-as change committed meanwhile is seen.
      enabled ? caller : undefined,
    );
  }

  /** Deletes a rule and its runs (If-Match honoured). */
  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, row.version);
      await this.repository.deleteRule(manager, orgId, id);
      await this.schedules.put(manager, orgId, id, null);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'automation_rule',
        entityId: id,
        changes: { name: row.name, entityType: row.entity_type },
        context,
      });
    });
  }

  /**
   * The dry run of `POST /automation-rules/{id}/test`: whether the condition holds for the record
   * now, and each action's `preview` as the run-as user (resolved as at run time). Runs in a
   * read-only transaction for the condition; previews write nothing by contract. A failing
   * preview is reported as a failed step, and the later steps are not previewed (as a run stops).
   */
  async test(
    orgId: string,
    id: string,
    entityId: string,
    callerPermissions: ReadonlySet<string>,
  ): Promise<RuleTestResultDto> {
    const rule = await this.db.read(orgId, (manager) => this.find(manager, orgId, id));
    // The answer tells about the record (its condition, the previews): the caller must read it.
    await this.db.run(orgId, (manager) =>
      this.targets.assertAccessible(manager, orgId, callerPermissions, rule.entity_type, entityId),
    );
    const updater = this.updaterOf(rule.entity_type);
    const filter = await this.conditions.compile(
      orgId,
      updater,
      rule.condition,
      rule.trigger as Trigger,
      rule.run_as_user_id,
    );
    const matched = await this.db.read(orgId, async (manager) => {
      const exists = await this.conditions.matching(manager, orgId, updater, [entityId], null);
      if (!exists.has(entityId)) throw new NotFoundError('Record');
      return (await this.conditions.matching(manager, orgId, updater, [entityId], filter)).has(
        entityId,
      );
    });
    if (!matched) return { matched, steps: [] };
    const steps: StepRecord[] = [];
    let actor: Principal;
    try {
      actor = await this.runAs.resolve(orgId, rule.run_as_user_id);
    } catch (error) {
      return { matched, steps: [failedStep('run_as', error)] };
    }
    const runId = uuidv7();
    for (const action of rule.actions as RuleAction[]) {
      const ctx: AutomationActionContext = {
        organizationId: orgId,
        actor,
        context: {
          actorUserId: actor.userId,
          actorApiKeyId: null,
          requestId: runId,
          ip: null,
          causation: { depth: 1, automationRuleId: rule.id, automationRunId: runId },
        },
        target: { entityType: rule.entity_type, entityId },
        event: null,
        ruleId: rule.id,
        runId,
      };
      const startedAt = new Date().toISOString();
      try {
        const registered = this.actions.get(action.type);
        if (!registered) throw AutomationErrors.unknown_action(0, action.type, this.actionNames());
        const result = await registered.preview(ctx, action.params);
        steps.push({
          action: action.type,
          status: result.status,
          output: result.output,
          error: null,
          startedAt,
          finishedAt: new Date().toISOString(),
        });
      } catch (error) {
        steps.push({ ...failedStep(action.type, error), startedAt });
        break;
      }
    }
    return { matched, steps };
  }

  /**
   * `POST /automation-rules/{id}/run`: records a manual run (a fresh event id; trigger `manual`)
   * on `entityId` (a record of the rule's type, else 404) and queues it; 409 `rule_disabled`.
   */
  async runManually(
    orgId: string,
    id: string,
    entityId: string | undefined,
    context: AuditContext,
    callerPermissions: ReadonlySet<string>,
  ): Promise<{ runId: string }> {
    const { runId, delaySeconds } = await this.db.run(orgId, async (manager) => {
      const rule = await this.find(manager, orgId, id);
      if (!rule.enabled) throw AutomationErrors.rule_disabled();
      if (entityId !== undefined) {
        // Only on a record the caller may read (404 otherwise), as for a dry run.
        await this.targets.assertAccessible(
          manager,
          orgId,
          callerPermissions,
          rule.entity_type,
          entityId,
        );
        const updater = this.updaterOf(rule.entity_type);
        const exists = await this.conditions.matching(manager, orgId, updater, [entityId], null);
        if (!exists.has(entityId)) throw new NotFoundError('Record');
      }
      const [run] = await this.repository.insertRuns(manager, orgId, [
        {
          ruleId: rule.id,
          ruleVersion: rule.version,
          eventId: uuidv7(),
          trigger: { type: 'manual', requestedBy: context.actorUserId },
          entityType: entityId === undefined ? null : rule.entity_type,
          entityId: entityId ?? null,
          status: 'queued',
          causationDepth: 0,
        },
      ]);
      return { runId: run.id, delaySeconds: rule.delay_seconds };
    });
    await this.jobs.start(AUTOMATION_RUN, { runId }, orgId, context, {
      dedupeKey: runId,
      delayMs: delaySeconds * 1000,
    });
    return { runId };
  }

  /** Triggers and actions with their JSON Schemas, and the entity types rules may name. */
  catalog(): AutomationCatalogDto {
    return {
      entityTypes: this.updaters.entityTypes(),
      triggers: TRIGGER_TYPES.map((type) => ({ type, schema: TRIGGER_SCHEMAS[type] })),
      actions: this.actions.list().map((a) => ({
        name: a.name,
        description: a.description,
        paramsSchema: a.paramsSchema,
      })),
    };
  }

  private async write(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
    next: (row: RuleRow) => RuleFields,
    enabledBy?: RuleAuthor,
  ): Promise<AutomationRuleDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.find(manager, orgId, id, { lock: true });
      assertVersionMatches(expectedVersion, row.version);
      const fields = next(row);
      if (enabledBy && fields.enabled && !row.enabled) {
        await this.assertMayActAs(orgId, enabledBy, fields.runAsUserId);
      }
      if (fields.runAsUserId !== row.run_as_user_id || (fields.enabled && !row.enabled)) {
        await this.assertRunAs(manager, orgId, fields.runAsUserId);
      }
      await this.syncSchedule(manager, orgId, id, fields);
      return this.audit.recordUpdate(
        manager,
        toRuleDto(row),
        AUDITED,
        async () =>
          toRuleDto(await this.repository.updateRule(manager, orgId, id, row.version, fields)),
        {
          organizationId: orgId,
          action: 'update',
          entityType: 'automation_rule',
          entityId: id,
          context,
        },
      );
    });
  }

  /**
   * Keeps the rule's schedule (id = the rule's id, job `automation.run` with `{ruleId}`) in step:
   * present and enabled with the rule for a `schedule` trigger, absent otherwise.
   */
  private syncSchedule(
    manager: EntityManager,
    orgId: string,
    id: string,
    fields: RuleFields,
  ): Promise<void> {
    const trigger = fields.trigger as Trigger;
    return this.schedules.put(
      manager,
      orgId,
      id,
      trigger.type === 'schedule'
        ? {
            name: `Automation: ${fields.name}`.slice(0, 100),
            taskName: AUTOMATION_RUN.name,
            payload: { ruleId: id },
            cron: trigger.cron,
            enabled: fields.enabled,
          }
        : null,
    );
  }

  private merge(row: RuleRow, dto: UpdateAutomationRuleDto): RuleFields {
    return {
      name: dto.name ?? row.name,
      description: dto.description !== undefined ? dto.description : row.description,
      entityType: dto.entityType ?? row.entity_type,
      trigger: dto.trigger ?? row.trigger,
      condition: dto.condition !== undefined ? dto.condition : row.condition,
      actions: dto.actions
        ? restoreSecrets(dto.actions as unknown as RuleAction[], row.actions as RuleAction[])
        : row.actions,
      runAsUserId: dto.runAsUserId ?? row.run_as_user_id,
      enabled: dto.enabled ?? row.enabled,
      delaySeconds: dto.delaySeconds ?? row.delay_seconds,
    };
  }

  /** Every check of a rule's content (see the class); one 422 with every problem found. */
  private async check(orgId: string, fields: RuleFields): Promise<void> {
    const updater = this.updaters.get(fields.entityType);
    if (!updater)
      throw AutomationErrors.unknown_entity_type(fields.entityType, this.updaters.entityTypes());
    const issues: FieldIssue[] = [...triggerIssues(fields.trigger)];
    const trigger = fields.trigger as Trigger;
    if (issues.length === 0 && trigger.type === 'field.changed') {
      try {
        await this.conditions.assertField(orgId, updater, trigger.field);
      } catch (error) {
        if (!(error instanceof InvalidFilterError)) throw error;
        issues.push({
          pointer: '/trigger/field',
          detail: `${trigger.field} is not a field of ${fields.entityType} rules can watch`,
        });
      }
    }
    if (issues.length === 0 && trigger.type === 'schedule') {
      if (!isValidCron(trigger.cron)) {
        issues.push({
          pointer: '/trigger/cron',
          detail: 'cron must be a valid cron expression (UTC)',
        });
      } else if (cronMinGapSeconds(trigger.cron) < MIN_SCHEDULE_GAP_SECONDS) {
        issues.push({
          pointer: '/trigger/cron',
          detail: `runs of a scheduled rule must be at least ${MIN_SCHEDULE_GAP_SECONDS / 60} minutes apart`,
        });
      }
    }
    if (issues.length === 0 && trigger.type === 'date_relative') {
      if (!(await this.conditions.isDateField(orgId, updater, trigger.field))) {
        issues.push({
          pointer: '/trigger/field',
          detail: `${trigger.field} is not a date field of ${fields.entityType}`,
        });
      }
    }
    const actionIssues = schemaIssues(ACTIONS_SCHEMA, fields.actions, '/actions');
    issues.push(...actionIssues);
    if (actionIssues.length === 0) {
      for (const [index, action] of (fields.actions as RuleAction[]).entries()) {
        const registered = this.actions.get(action.type);
        if (!registered)
          throw AutomationErrors.unknown_action(index, action.type, this.actionNames());
        const base = `/actions/${index}/params`;
        const paramIssues = schemaIssues(registered.paramsSchema, action.params, base);
        issues.push(...paramIssues);
        for (const pointer of unusableSecrets([action])) {
          issues.push({
            pointer: pointer.replace('/actions/0/', `/actions/${index}/`),
            detail:
              'a masked value is kept only when sent back with the same url, and only while the stored one can be read: send the value',
          });
        }
        if (paramIssues.length === 0 && action.type === 'update_record') {
          try {
            await this.fields.check(
              fields.entityType,
              action.params.fields as Record<string, unknown>,
              `${base}/fields`,
            );
          } catch (error) {
            if (!(error instanceof ValidationFailedError)) throw error;
            issues.push(...error.issues);
          }
        }
      }
    }
    if (issues.length > 0) throw new ValidationFailedError(issues);
    try {
      await this.conditions.compile(orgId, updater, fields.condition, trigger, fields.runAsUserId);
    } catch (error) {
      if (error instanceof InvalidFilterError) {
        throw new InvalidFilterError(error.path, error.detail, 'condition');
      }
      throw error;
    }
  }

  /**
   * 403 `run_as_not_permitted` when the rule would act as another user holding a permission the
   * caller lacks: writing a rule's content is acting with its run-as user's permissions, so nobody
   * may author (create or change) a rule that acts beyond what they hold themselves. Naming
   * yourself always passes; a run-as user who is not an active member is left to the 422 check.
   */
  private async assertMayActAs(orgId: string, caller: RuleAuthor, runAsUserId: string) {
    if (caller.isSuperuser || caller.userId === runAsUserId) return;
    let runAs: Principal;
    try {
      runAs = await this.runAs.resolve(orgId, runAsUserId);
    } catch {
      return;
    }
    const missing = [...runAs.permissions].filter((p) => !caller.permissions.has(p)).sort();
    if (missing.length > 0) throw AutomationErrors.run_as_not_permitted(missing);
    // Workflow transitions and edit rights go by role, not permission: a role the caller lacks
    // (and could not give themselves without memberships:manage) may not be borrowed either.
    if (caller.permissions.has('memberships:manage')) return;
    const [theirs, mine] = await this.db.read(orgId, async (manager) => [
      await this.repository.roleIdsOf(manager, orgId, { userId: runAsUserId }),
      await this.repository.roleIdsOf(manager, orgId, caller),
    ]);
    const missingRoles = theirs.filter((role) => !mine.includes(role)).sort();
    if (missingRoles.length > 0) throw AutomationErrors.run_as_not_permitted([], missingRoles);
  }

  /** 422 `invalid_run_as_user` unless `userId` is an active member of the organization. */
  private async assertRunAs(manager: EntityManager, orgId: string, userId: string): Promise<void> {
    const [member] = await this.members.activeMembers(manager, orgId, { userIds: [userId] });
    if (!member) throw AutomationErrors.invalid_run_as_user();
  }

  private async find(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<RuleRow> {
    const row = await this.repository.findRule(manager, orgId, id, options);
    if (!row) throw new NotFoundError('Automation rule');
    return row;
  }

  private updaterOf(entityType: string): RecordUpdater {
    const updater = this.updaters.get(entityType);
    if (!updater)
      throw AutomationErrors.unknown_entity_type(entityType, this.updaters.entityTypes());
    return updater;
  }

  private actionNames(): string[] {
    return this.actions.list().map((a) => a.name);
  }
}

/** A failed step as runs and dry runs record it: the error as an envelope entry, never raw text. */
export function failedStep(action: string, error: unknown): StepRecord {
  const now = new Date().toISOString();
  return {
    action,
    status: 'failed',
    output: null,
    error: errorEntry(error),
    startedAt: now,
    finishedAt: now,
  };
}

/** An error as one envelope entry (`status`, `code`, `detail`, `meta`); unknown errors are 500s. */
export function errorEntry(error: unknown): Record<string, unknown> {
  if (error instanceof AppError) {
    const [first, ...more] = error.toErrorObjects();
    return more.length === 0 ? { ...first } : { ...first, more };
  }
  return { status: '500', code: 'internal_server_error', detail: 'The action failed unexpectedly' };
}
