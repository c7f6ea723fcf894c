import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { iso } from '../../core/database';
import {
  defineList,
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
import { SchedulesErrors } from './schedules.errors';
import {
  ScheduleFilter,
  ScheduleRow,
  SchedulesRepository,
  ScheduleSort,
} from './schedules.repository';

type Sort = ScheduleSort;
type Filter = ScheduleFilter;
export const SCHEDULE_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'schedules',
  sortable: ['name', 'nextRunAt', 'createdAt'],
  defaultSort: 'name',
  filters: { enabled: 'boolean', taskName: 'string', q: 'string' },
  fields: {
    id: { type: 'uuid', column: 'schedules.id' },
    name: { type: 'string', column: 'schedules.name' },
    taskName: { type: 'text', column: 'schedules.task_name' },
    enabled: { type: 'boolean', column: 'schedules.enabled' },
    intervalSeconds: { type: 'int', column: 'schedules.interval_seconds' },
    lastRunAt: { type: 'datetime', column: 'schedules.last_run_at' },
    nextRunAt: { type: 'datetime', column: 'schedules.next_run_at' },
    createdAt: { type: 'datetime', column: 'schedules.created_at' },
  },
});

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
    private readonly repository: SchedulesRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<ScheduleDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<ScheduleDto> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Schedule');
    return toDto(row);
  }

  get(orgId: string, id: string): Promise<ScheduleDto> {
    return this.db.read(orgId, (manager) => this.find(manager, orgId, id));
  }

  create(orgId: string, dto: CreateScheduleDto, context: AuditContext): Promise<ScheduleDto> {
    const rule = ruleOf(dto.cron, dto.intervalSeconds);
    return this.db.run(orgId, async (manager) => {
      const id = uuidv7();
      const enabled = dto.enabled ?? true;
      await this.repository.insert(manager, orgId, {
        id,
        name: dto.name,
        taskName: dto.taskName,
        payload: dto.payload ?? {},
        cron: rule.cron,
        intervalSeconds: rule.intervalSeconds,
        enabled,
        nextRunAt: enabled ? nextRun(rule, this.clock.now()) : null,
      });
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
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        fields: ['name', 'taskName', 'payload', 'cron', 'intervalSeconds', 'enabled'],
        write: async (before) => {
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
          return toDto(
            await this.repository.update(manager, orgId, id, before.version, {
              name: dto.name,
              taskName: dto.taskName,
              payload: dto.payload,
              cron: rule.cron,
              intervalSeconds: rule.intervalSeconds,
              enabled,
              nextRunAt: next,
            }),
          );
        },
        entry: { organizationId: orgId, entityType: 'schedule', entityId: id, context },
      });
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        remove: () => this.repository.delete(manager, orgId, id),
        entry: { organizationId: orgId, entityType: 'schedule', entityId: id, context },
        changes: (before) => ({ name: before.name, taskName: before.taskName }),
      });
    });
  }
}
