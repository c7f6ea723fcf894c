import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { Conditions, iso, orderBy, selectPage } from '../../core/database';
import {
  assertVersionMatches,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type { CreateScheduleDto, ScheduleDto, UpdateScheduleDto } from './dto/schedule.dto';
import { nextRun, ScheduleRule } from './schedule-rules';
import { foldedContains } from '../../core/database/folded-text';
import { SchedulesErrors } from './schedules.errors';

interface ScheduleRow {
  id: string;
  name: string;
  task_name: string;
  payload: Record<string, unknown>;
  cron: string | null;
  interval_seconds: number | null;
  enabled: boolean;
  last_run_at: Date | null;
  last_task_id: string | null;
  next_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'name' | 'nextRunAt' | 'createdAt';
type Filter = 'enabled' | 'taskName' | 'q';
export const SCHEDULE_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['name', 'nextRunAt', 'createdAt'],
  defaultSort: 'name',
  filters: { enabled: 'boolean', taskName: 'string', q: 'string' },
};
const SORT_COLUMNS: Record<Sort, string> = {
  name: 'name',
  nextRunAt: 'next_run_at',
  createdAt: 'created_at',
};
const COLUMNS = `id, name, task_name, payload, cron, interval_seconds, enabled, last_run_at, last_task_id,
  next_run_at, created_at, updated_at, version`;

const toDto = (row: ScheduleRow): ScheduleDto => ({
  id: row.id,
  name: row.name,
  taskName: row.task_name,
  payload: row.payload,
  cron: row.cron,
  intervalSeconds: row.interval_seconds,
  enabled: row.enabled,
  lastRunAt: iso(row.last_run_at),
  lastTaskId: row.last_task_id,
  nextRunAt: iso(row.next_run_at),
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** Exactly one of cron / intervalSeconds (422 `invalid_schedule` otherwise). */
function ruleOf(
  cron: string | null | undefined,
  intervalSeconds: number | null | undefined,
): ScheduleRule {
  if (!cron === !intervalSeconds) {
    throw SchedulesErrors.invalid_schedule();
  }
  return { cron: cron ?? null, intervalSeconds: intervalSeconds ?? null };
}

/** Admin CRUD of an organization's schedules; `SchedulerRunner` (worker) executes them. */
@Injectable()
export class SchedulesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<ScheduleDto>> {
    return this.db.run(orgId, async (manager) => {
      const { enabled, taskName, q } = query.filters;
      const where = new Conditions()
        .add('organization_id = ?', orgId)
        .addIf(enabled, 'enabled = ?')
        .addIf(taskName, 'task_name = ?')
        .addIf(q, foldedContains('name'), q);
      const { rows, total } = await selectPage<ScheduleRow>(manager, {
        select: COLUMNS,
        from: 'schedules',
        where,
        order: orderBy(query.sort, SORT_COLUMNS),
        query,
      });
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<ScheduleDto> {
    const [row] = await manager.query<ScheduleRow[]>(
      `SELECT ${COLUMNS} FROM schedules WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    if (!row) throw new NotFoundError('Schedule');
    return toDto(row);
  }

  get(orgId: string, id: string): Promise<ScheduleDto> {
    return this.db.run(orgId, (manager) => this.find(manager, orgId, id));
  }

  create(orgId: string, dto: CreateScheduleDto, context: AuditContext): Promise<ScheduleDto> {
    const rule = ruleOf(dto.cron, dto.intervalSeconds);
    return this.db.run(orgId, async (manager) => {
      const id = uuidv7();
      const enabled = dto.enabled ?? true;
      await manager.query(
        `INSERT INTO schedules (id, organization_id, name, task_name, payload, cron, interval_seconds, enabled, next_run_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          id,
          orgId,
          dto.name,
          dto.taskName,
          dto.payload ?? {},
          rule.cron,
          rule.intervalSeconds,
          enabled,
          enabled ? nextRun(rule, this.clock.now()) : null,
        ],
      );
      const created = await this.find(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'schedule',
        entityId: id,
        changes: {
          name: dto.name,
          taskName: dto.taskName,
          cron: rule.cron,
          intervalSeconds: rule.intervalSeconds,
        },
        context,
      });
      return created;
    });
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateScheduleDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<ScheduleDto> {
    return this.db.run(orgId, async (manager) => {
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      const ruleChanged = dto.cron !== undefined || dto.intervalSeconds !== undefined;
      const rule = ruleChanged
        ? ruleOf(dto.cron, dto.intervalSeconds)
        : { cron: before.cron, intervalSeconds: before.intervalSeconds };
      const enabled = dto.enabled ?? before.enabled;
      const next = !enabled
        ? null
        : ruleChanged || !before.enabled || !before.nextRunAt
          ? nextRun(rule, this.clock.now())
          : new Date(before.nextRunAt);
      return this.audit.recordVersionedUpdate(
        manager,
        before,
        ['name', 'taskName', 'payload', 'cron', 'intervalSeconds', 'enabled'],
        {
          table: 'schedules',
          set: `name = COALESCE($4, name), task_name = COALESCE($5, task_name),
            payload = COALESCE($6, payload), cron = $7, interval_seconds = $8, enabled = $9,
            next_run_at = $10`,
          values: [
            dto.name ?? null,
            dto.taskName ?? null,
            dto.payload ?? null,
            rule.cron,
            rule.intervalSeconds,
            enabled,
            next,
          ],
          returning: COLUMNS,
          toDto,
        },
        { organizationId: orgId, entityType: 'schedule', entityId: id, context },
      );
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      await manager.query('DELETE FROM schedules WHERE organization_id = $1 AND id = $2', [
        orgId,
        id,
      ]);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'schedule',
        entityId: id,
        changes: { name: before.name, taskName: before.taskName },
        context,
      });
    });
  }
}
