import { Injectable } from '@nestjs/common';
import type { AuditContext } from '../../core/auth';
import { iso } from '../../core/database';
import { AUTOMATION_RUN_STATUSES } from './automation.entity';
import {
  defineList,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { JobsService } from '../jobs';
import { AutomationErrors } from './automation.errors';
import { AUTOMATION_RUN } from './automation.jobs';
import { AutomationRepository, RunFilter, RunRow, RunSort } from './automation.repository';
import type { AutomationRunDto } from './dto/automation.dto';

export const AUTOMATION_RUN_LIST: ListDefinition<RunSort, RunFilter> = defineList({
  resource: 'automation-runs',
  sortable: ['createdAt'],
  defaultSort: '-createdAt',
  filters: { ruleId: 'uuid', status: { enum: AUTOMATION_RUN_STATUSES } },
  fields: {
    id: { type: 'uuid', column: 'automation_runs.id' },
    ruleId: { type: 'uuid', column: 'automation_runs.rule_id' },
    status: { type: { enum: AUTOMATION_RUN_STATUSES }, column: 'automation_runs.status' },
    entityId: { type: 'uuid', column: 'automation_runs.entity_id' },
    createdAt: { type: 'datetime', column: 'automation_runs.created_at' },
  },
});

/** A run row as the API shows it. */
export const toRunDto = (row: RunRow): AutomationRunDto => ({
  id: row.id,
  ruleId: row.rule_id,
  ruleVersion: row.rule_version,
  eventId: row.event_id,
  trigger: row.trigger as Record<string, unknown>,
  entityType: row.entity_type,
  entityId: row.entity_id,
  status: row.status,
  steps: row.steps,
  causationDepth: row.causation_depth,
  attempts: row.attempts,
  error: row.error,
  createdAt: iso(row.created_at)!,
  finishedAt: iso(row.finished_at),
});

/**
 * The runs of automation rules (SPEC-P3 §8 "Runs"): listed newest first (filter by rule and
 * status), read one by one, and retried: a `failed` run goes back to `queued` and is run again,
 * skipping the steps that already succeeded (409 `run_not_retryable` for any other status).
 */
@Injectable()
export class AutomationRunsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: AutomationRepository,
    private readonly jobs: JobsService,
  ) {}

  list(orgId: string, query: ListQuery<RunSort, RunFilter>): Promise<Page<AutomationRunDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.listRuns(manager, orgId, query);
      return toPage(rows.map(toRunDto), total, query);
    });
  }

  get(orgId: string, id: string): Promise<AutomationRunDto> {
    return this.db.read(orgId, async (manager) => {
      const row = await this.repository.findRun(manager, orgId, id);
      if (!row) throw new NotFoundError('Automation run');
      return toRunDto(row);
    });
  }

  /** Re-queues a failed run (202); the job id is fresh so Bull runs it again. */
  async retry(orgId: string, id: string, context: AuditContext): Promise<{ runId: string }> {
    const attempts = await this.db.run(orgId, async (manager) => {
      const row = await this.repository.lockRun(manager, orgId, id);
      if (!row) throw new NotFoundError('Automation run');
      if (row.status !== 'failed') throw AutomationErrors.run_not_retryable(row.status);
      await this.repository.updateRun(manager, orgId, id, { status: 'queued', error: null });
      return row.attempts;
    });
    await this.jobs.start(AUTOMATION_RUN, { runId: id }, orgId, context, {
      dedupeKey: `${id}:retry:${attempts}`,
    });
    return { runId: id };
  }
}
