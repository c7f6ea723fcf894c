import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  deleteTenantRow,
  filterSql,
  orderBy,
  returningRows,
  selectPage,
  updateVersioned,
} from '../../core/database';
import { UNREADABLE_SECRET } from '../../core/automation';
import { AppConfig } from '../../core/config';
import type { CompiledFilter } from '../../core/filters';
import type { ListQuery } from '../../core/http';
import type { AutomationRunStatus } from './automation.entity';
import type { RuleAction } from './automation-rules';
import { openRuleSecrets, sealRuleSecrets } from './rule-secrets';

/** An `automation_rules` row as selected here. */
export interface RuleRow {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  entity_type: string;
  trigger: unknown;
  condition: unknown;
  actions: unknown;
  run_as_user_id: string;
  created_by_user_id: string | null;
  enabled: boolean;
  delay_seconds: number;
  consecutive_failures: number;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** The fields of a rule a create or update writes. */
export interface RuleFields {
  name: string;
  description: string | null;
  entityType: string;
  trigger: unknown;
  condition: unknown;
  actions: unknown;
  runAsUserId: string;
  enabled: boolean;
  delaySeconds: number;
}

/** One step's record in `automation_runs.steps`. */
export interface StepRecord {
  action: string;
  status: 'succeeded' | 'failed' | 'skipped';
  output: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  startedAt: string;
  finishedAt: string;
}

/** An `automation_runs` row as selected here. */
export interface RunRow {
  id: string;
  organization_id: string;
  rule_id: string;
  rule_version: number;
  event_id: string;
  trigger: unknown;
  entity_type: string | null;
  entity_id: string | null;
  status: AutomationRunStatus;
  steps: StepRecord[];
  causation_depth: number;
  attempts: number;
  error: Record<string, unknown> | null;
  created_at: Date;
  finished_at: Date | null;
}

/** A run to insert (the consumer, a manual run). */
export interface NewRun {
  ruleId: string;
  ruleVersion: number;
  eventId: string;
  trigger: Record<string, unknown>;
  entityType: string | null;
  entityId: string | null;
  status: AutomationRunStatus;
  causationDepth: number;
  error?: Record<string, unknown> | null;
}

export type RuleSort = 'name' | 'createdAt';
export type RuleFilter = 'entityType' | 'enabled';
export type RunSort = 'createdAt';
export type RunFilter = 'ruleId' | 'status';

const RULE_COLUMNS = `id, organization_id, name, description, entity_type, trigger, condition, actions,
  run_as_user_id, created_by_user_id, enabled, delay_seconds, consecutive_failures, disabled_reason,
  created_at, updated_at, version`;
const RUN_COLUMNS = `id, organization_id, rule_id, rule_version, event_id, trigger, entity_type,
  entity_id, status, steps, causation_depth, attempts, error, created_at, finished_at`;
const RULE_SORT: Record<RuleSort, string> = { name: 'name', createdAt: 'created_at' };
const RUN_SORT: Record<RunSort, string> = { createdAt: 'created_at' };
const TERMINAL = `('succeeded', 'failed', 'skipped', 'loop_prevented')`;

/**
 * The only SQL on `automation_rules` and `automation_runs`, plus the condition check that reads the
 * rule's record through the owner's list columns (`RecordUpdater.from`, code, never input). Every
 * method takes the caller's manager and the organization id first and names it in every WHERE,
 * except the sweeps over every organization in a system transaction ({@link deleteRunsBefore},
 * {@link stuckRuns}, {@link dateRelativeRules}). Rule rows leave and enter here with their actions'
 * secrets (a `call_webhook` secret, header values) in clear for the caller and sealed in the table
 * (`rule-secrets.ts`).
 */
@Injectable()
export class AutomationRepository {
  constructor(private readonly config: AppConfig) {}

  /** `row` with its actions' sealed secrets opened (see `openRuleSecrets`). */
  private opened(row: RuleRow): RuleRow {
    return {
      ...row,
      actions: openRuleSecrets(row.actions, this.config.webhooks.secretsKey, row.id),
    };
  }

  /**
   * The actions as stored for rule `id`: secrets sealed (see `sealRuleSecrets`); null when a value
   * is {@link UNREADABLE_SECRET} — the stored ciphertext must stay (an enable/disable rewrites the
   * actions as read; the service refuses other saves with such a value), so that restoring the old
   * key still opens it.
   */
  private sealed(actions: unknown, id: string): string | null {
    if (JSON.stringify(actions).includes(JSON.stringify(UNREADABLE_SECRET).slice(1, -1)))
      return null;
    return JSON.stringify(
      sealRuleSecrets(actions as RuleAction[], this.config.webhooks.secretsKey, id),
    );
  }

  async listRules(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<RuleSort, RuleFilter>,
  ): Promise<{ rows: RuleRow[]; total: number }> {
    const { entityType, enabled } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(entityType, 'entity_type = ?')
      .addIf(enabled, 'enabled = ?');
    where.addFilter(query.filter);
    const page = await selectPage<RuleRow>(manager, {
      select: RULE_COLUMNS,
      from: 'automation_rules',
      where,
      order: orderBy(query.sort, RULE_SORT),
      query,
    });
    return { ...page, rows: page.rows.map((row) => this.opened(row)) };
  }

  /** The roles a user holds through their membership of the organization, or an API key's role. */
  async roleIdsOf(
    manager: EntityManager,
    orgId: string,
    who: { userId: string | null; apiKeyId?: string | null },
  ): Promise<string[]> {
    const rows = who.userId
      ? await manager.query<{ role_id: string }[]>(
          `SELECT mr.role_id FROM memberships m JOIN membership_roles mr ON mr.membership_id = m.id
            WHERE m.organization_id = $1 AND m.user_id = $2 AND m.suspended_at IS NULL`,
          [orgId, who.userId],
        )
      : who.apiKeyId
        ? await manager.query<{ role_id: string }[]>(
            `SELECT role_id FROM api_keys WHERE organization_id = $1 AND id = $2`,
            [orgId, who.apiKeyId],
          )
        : [];
    return rows.map((r) => r.role_id);
  }

  /** One rule; `lock`: `FOR UPDATE` until the caller's transaction ends (a write's read). */
  async findRule(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<RuleRow | undefined> {
    const [row] = await manager.query<RuleRow[]>(
      `SELECT ${RULE_COLUMNS} FROM automation_rules WHERE organization_id = $1 AND id = $2
        ${options.lock ? 'FOR UPDATE' : ''}`,
      [orgId, id],
    );
    return row && this.opened(row);
  }

  /** The organization's enabled rules (the consumer's per-organization cache). */
  async enabledRules(manager: EntityManager, orgId: string): Promise<RuleRow[]> {
    const rows = await manager.query<RuleRow[]>(
      `SELECT ${RULE_COLUMNS} FROM automation_rules WHERE organization_id = $1 AND enabled
        ORDER BY created_at, id`,
      [orgId],
    );
    return rows.map((row) => this.opened(row));
  }

  async insertRule(
    manager: EntityManager,
    orgId: string,
    id: string,
    createdBy: string | null,
    fields: RuleFields,
  ): Promise<RuleRow> {
    const [row] = await returningRows<RuleRow>(
      manager,
      `INSERT INTO automation_rules (id, organization_id, name, description, entity_type, trigger,
         condition, actions, run_as_user_id, created_by_user_id, enabled, delay_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${RULE_COLUMNS}`,
      [
        id,
        orgId,
        fields.name,
        fields.description,
        fields.entityType,
        JSON.stringify(fields.trigger),
        fields.condition === null ? null : JSON.stringify(fields.condition),
        this.sealed(fields.actions, id),
        fields.runAsUserId,
        createdBy,
        fields.enabled,
        fields.delaySeconds,
      ],
    );
    return this.opened(row);
  }

  /**
   * Writes every field at `version` (412 when the row moved on). Enabling resets the failure
   * count and the reason it was disabled.
   */
  async updateRule(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    fields: RuleFields,
  ): Promise<RuleRow> {
    const row = await updateVersioned<RuleRow>(manager, {
      table: 'automation_rules',
      organizationId: orgId,
      id,
      version,
      set: `name = $4, description = $5, entity_type = $6, trigger = $7, condition = $8,
        actions = COALESCE($9::jsonb, actions), run_as_user_id = $10, enabled = $11, delay_seconds = $12,
        consecutive_failures = CASE WHEN $11 AND NOT enabled THEN 0 ELSE consecutive_failures END,
        disabled_reason = CASE WHEN $11 THEN NULL ELSE disabled_reason END`,
      values: [
        fields.name,
        fields.description,
        fields.entityType,
        JSON.stringify(fields.trigger),
        fields.condition === null ? null : JSON.stringify(fields.condition),
        this.sealed(fields.actions, id),
        fields.runAsUserId,
        fields.enabled,
        fields.delaySeconds,
      ],
      returning: RULE_COLUMNS,
    });
    return this.opened(row);
  }

  async deleteRule(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'automation_rules', orgId, id);
  }

  /**
   * Counts a failed run against the rule; at `limit` consecutive failures the rule is disabled
   * with `reason` (version bumped). Returns the rule after the change, or undefined when gone.
   */
  async recordFailure(
    manager: EntityManager,
    orgId: string,
    ruleId: string,
    limit: number,
    reason: string,
  ): Promise<RuleRow | undefined> {
    const [row] = await returningRows<RuleRow>(
      manager,
      `UPDATE automation_rules SET consecutive_failures = consecutive_failures + 1,
          enabled = CASE WHEN consecutive_failures + 1 >= $3 THEN false ELSE enabled END,
          disabled_reason = CASE WHEN consecutive_failures + 1 >= $3 AND enabled THEN $4::varchar
                                 ELSE disabled_reason END,
          version = CASE WHEN consecutive_failures + 1 >= $3 AND enabled THEN version + 1
                         ELSE version END,
          updated_at = CASE WHEN consecutive_failures + 1 >= $3 AND enabled THEN now()
                            ELSE updated_at END
        WHERE organization_id = $1 AND id = $2 RETURNING ${RULE_COLUMNS}`,
      [orgId, ruleId, limit, reason],
    );
    return row && this.opened(row);
  }

  /** A succeeded run ends the rule's streak of failures. */
  async resetFailures(manager: EntityManager, orgId: string, ruleId: string): Promise<void> {
    await manager.query(
      `UPDATE automation_rules SET consecutive_failures = 0
        WHERE organization_id = $1 AND id = $2 AND consecutive_failures <> 0`,
      [orgId, ruleId],
    );
  }

  /**
   * Of `ids`, those records of `from` (alias `alias`) of the organization for which `filter`
   * holds (null: every existing one): one query for a whole batch of events of one rule.
   */
  async matchingIds(
    manager: EntityManager,
    orgId: string,
    source: { from: string; alias: string },
    ids: readonly string[],
    filter: CompiledFilter | null,
  ): Promise<Set<string>> {
    const params: unknown[] = [orgId, ids];
    const condition = filter ? ` AND ${filterSql(filter, params)}` : '';
    const rows = await manager.query<{ id: string }[]>(
      `SELECT ${source.alias}.id FROM ${source.from}
        WHERE ${source.alias}.organization_id = $1 AND ${source.alias}.id = ANY($2::uuid[])${condition}`,
      params,
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Up to `limit` records of `source` of the organization for which `filter` holds (the
   * `date_relative` sweep: the filter names the date), by id.
   */
  async matchingAll(
    manager: EntityManager,
    orgId: string,
    source: { from: string; alias: string },
    filter: CompiledFilter,
    limit: number,
  ): Promise<string[]> {
    const params: unknown[] = [orgId];
    const condition = filterSql(filter, params);
    params.push(limit);
    const rows = await manager.query<{ id: string }[]>(
      `SELECT ${source.alias}.id FROM ${source.from}
        WHERE ${source.alias}.organization_id = $1 AND ${condition}
        ORDER BY ${source.alias}.id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => r.id);
  }

  /**
   * The enabled `date_relative` rules of every organization (the daily sweep, a system
   * transaction: it spans organizations).
   */
  async dateRelativeRules(manager: EntityManager): Promise<RuleRow[]> {
    const rows = await manager.query<RuleRow[]>(
      `SELECT ${RULE_COLUMNS} FROM automation_rules
        WHERE enabled AND trigger->>'type' = 'date_relative' ORDER BY organization_id, id`,
    );
    return rows.map((row) => this.opened(row));
  }

  /** Runs the organization started in the last `seconds` (the per-organization rate limit). */
  async recentRunCount(manager: EntityManager, orgId: string, seconds: number): Promise<number> {
    const [row] = await manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM automation_runs
        WHERE organization_id = $1 AND created_at > now() - make_interval(secs => $2)
          AND status <> 'loop_prevented'`,
      [orgId, seconds],
    );
    return row.n;
  }

  /**
   * Inserts runs; a (rule, event) already recorded is skipped (`uq_automation_runs_event`), so a
   * redelivered event fires nothing twice. Returns the runs inserted now.
   */
  async insertRuns(
    manager: EntityManager,
    orgId: string,
    runs: readonly NewRun[],
  ): Promise<{ id: string; rule_id: string; status: AutomationRunStatus }[]> {
    if (runs.length === 0) return [];
    return returningRows(
      manager,
      `INSERT INTO automation_runs (organization_id, rule_id, rule_version, event_id, trigger,
         entity_type, entity_id, status, causation_depth, error, finished_at)
       SELECT $1, r.rule_id, r.rule_version, r.event_id, r.trigger, r.entity_type, r.entity_id,
              r.status, r.causation_depth, r.error,
              CASE WHEN r.status IN ${TERMINAL} THEN now() END
         FROM jsonb_to_recordset($2::jsonb) AS r(rule_id uuid, rule_version int, event_id uuid,
              trigger jsonb, entity_type varchar, entity_id uuid, status varchar,
              causation_depth int, error jsonb)
       ON CONFLICT ON CONSTRAINT uq_automation_runs_event DO NOTHING
       RETURNING id, rule_id, status`,
      [
        orgId,
        JSON.stringify(
          runs.map((r) => ({
            rule_id: r.ruleId,
            rule_version: r.ruleVersion,
            event_id: r.eventId,
            trigger: r.trigger,
            entity_type: r.entityType,
            entity_id: r.entityId,
            status: r.status,
            causation_depth: r.causationDepth,
            error: r.error ?? null,
          })),
        ),
      ],
    );
  }

  listRuns(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<RunSort, RunFilter>,
  ): Promise<{ rows: RunRow[]; total: number }> {
    const { ruleId, status } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(ruleId, 'rule_id = ?')
      .addIf(status, 'status = ?');
    where.addFilter(query.filter);
    return selectPage<RunRow>(manager, {
      select: RUN_COLUMNS,
      from: 'automation_runs',
      where,
      order: orderBy(query.sort, RUN_SORT),
      query,
    });
  }

  async findRun(manager: EntityManager, orgId: string, id: string): Promise<RunRow | undefined> {
    const [row] = await manager.query<RunRow[]>(
      `SELECT ${RUN_COLUMNS} FROM automation_runs WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    return row;
  }

  /** The run of (rule, event), if recorded. */
  async findRunByEvent(
    manager: EntityManager,
    orgId: string,
    ruleId: string,
    eventId: string,
  ): Promise<RunRow | undefined> {
    const [row] = await manager.query<RunRow[]>(
      `SELECT ${RUN_COLUMNS} FROM automation_runs
        WHERE organization_id = $1 AND rule_id = $2 AND event_id = $3`,
      [orgId, ruleId, eventId],
    );
    return row;
  }

  /** The run, row-locked until the transaction ends (one runner at a time). */
  async lockRun(manager: EntityManager, orgId: string, id: string): Promise<RunRow | undefined> {
    const [row] = await manager.query<RunRow[]>(
      `SELECT ${RUN_COLUMNS} FROM automation_runs WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [orgId, id],
    );
    return row;
  }

  /** Sets a run's status, steps, attempts and error; a terminal status stamps `finished_at`. */
  async updateRun(
    manager: EntityManager,
    orgId: string,
    id: string,
    change: {
      status: AutomationRunStatus;
      steps?: StepRecord[];
      attempts?: number;
      error?: Record<string, unknown> | null;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE automation_runs SET status = $3::varchar, steps = COALESCE($4::jsonb, steps),
          attempts = COALESCE($5::int, attempts), error = $6::jsonb,
          finished_at = CASE WHEN $3::varchar IN ${TERMINAL} THEN now() ELSE NULL END
        WHERE organization_id = $1 AND id = $2`,
      [
        orgId,
        id,
        change.status,
        change.steps === undefined ? null : JSON.stringify(change.steps),
        change.attempts ?? null,
        change.error ? JSON.stringify(change.error) : null,
      ],
    );
  }

  /**
   * Runs stuck in `queued` since before `before` (their job was lost: Redis down after the
   * relay's commit), at most `limit`, every organization: the re-enqueue sweep (system).
   */
  stuckRuns(
    manager: EntityManager,
    before: Date,
    limit: number,
  ): Promise<{ id: string; organization_id: string }[]> {
    return manager.query(
      `SELECT id, organization_id FROM automation_runs
        WHERE status = 'queued' AND created_at < $1 ORDER BY created_at LIMIT $2`,
      [before, limit],
    );
  }

  /** Deletes runs created before `before` (retention, every organization: a system transaction). */
  async deleteRunsBefore(manager: EntityManager, before: Date, limit: number): Promise<number> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `DELETE FROM automation_runs WHERE id IN (
         SELECT id FROM automation_runs WHERE created_at < $1 ORDER BY created_at LIMIT $2)
       RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }
}
