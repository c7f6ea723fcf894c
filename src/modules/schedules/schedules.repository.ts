import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  deleteTenantRow,
  orderBy,
  selectPage,
  selectTenantRow,
  updateVersioned,
} from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import { ListQuery } from '../../core/http';

/** A `schedules` row as selected by {@link SchedulesRepository}. */
export interface ScheduleRow {
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

/** A due schedule claimed by the scheduler (any organization). */
export interface DueScheduleRow {
  id: string;
  organization_id: string;
  task_name: string;
  payload: Record<string, unknown>;
  cron: string | null;
  interval_seconds: number | null;
  next_run_at: Date;
}

/** The values of a new schedule; `nextRunAt` is null for a disabled one. */
export interface NewSchedule {
  id: string;
  name: string;
  taskName: string;
  payload: Record<string, unknown>;
  cron: string | null;
  intervalSeconds: number | null;
  enabled: boolean;
  nextRunAt: Date | null;
}

/** A PATCH of a schedule: undefined name/task/payload keep the stored value; the rule is whole. */
export interface ScheduleChanges {
  name?: string;
  taskName?: string;
  payload?: Record<string, unknown>;
  cron: string | null;
  intervalSeconds: number | null;
  enabled: boolean;
  nextRunAt: Date | null;
}

export type ScheduleSort = 'name' | 'nextRunAt' | 'createdAt';
export type ScheduleFilter = 'enabled' | 'taskName' | 'q';

const SORT_COLUMNS: Record<ScheduleSort, string> = {
  name: 'name',
  nextRunAt: 'next_run_at',
  createdAt: 'created_at',
};
const COLUMNS = `id, name, task_name, payload, cron, interval_seconds, enabled, last_run_at, last_task_id,
  next_run_at, created_at, updated_at, version`;

/**
 * The only SQL on `schedules`. Every method runs in the caller's transaction (`manager`) and,
 * except the scheduler's cross-tenant claim/advance, takes the organization id first and puts it
 * in every WHERE. Never opens a transaction.
 */
@Injectable()
export class SchedulesRepository {
  /** One page of an organization's schedules, filtered and sorted as `query` says. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<ScheduleSort, ScheduleFilter>,
  ): Promise<{ rows: ScheduleRow[]; total: number }> {
    const { enabled, taskName, q } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(enabled, 'enabled = ?')
      .addIf(taskName, 'task_name = ?')
      .addIf(q, foldedContains('name'), q);
    where.addFilter(query.filter);
    return selectPage<ScheduleRow>(manager, {
      select: COLUMNS,
      from: 'schedules',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** The schedule, or undefined when it is missing (or another organization's). */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<ScheduleRow | undefined> {
    return selectTenantRow<ScheduleRow>(manager, 'schedules', COLUMNS, orgId, id);
  }

  /** Inserts a schedule (version 1). */
  async insert(manager: EntityManager, orgId: string, schedule: NewSchedule): Promise<void> {
    await manager.query(
      `INSERT INTO schedules (id, organization_id, name, task_name, payload, cron, interval_seconds, enabled, next_run_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        schedule.id,
        orgId,
        schedule.name,
        schedule.taskName,
        schedule.payload,
        schedule.cron,
        schedule.intervalSeconds,
        schedule.enabled,
        schedule.nextRunAt,
      ],
    );
  }

  /**
   * Guarded versioned UPDATE (`updateVersioned`): 412 `PreconditionFailedError` when the row is
   * no longer at `version`. Returns the updated row.
   */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: ScheduleChanges,
  ): Promise<ScheduleRow> {
    return updateVersioned<ScheduleRow>(manager, {
      table: 'schedules',
      organizationId: orgId,
      id,
      version,
      set: `name = COALESCE($4, name), task_name = COALESCE($5, task_name),
            payload = COALESCE($6, payload), cron = $7, interval_seconds = $8, enabled = $9,
            next_run_at = $10`,
      values: [
        changes.name ?? null,
        changes.taskName ?? null,
        changes.payload ?? null,
        changes.cron,
        changes.intervalSeconds,
        changes.enabled,
        changes.nextRunAt,
      ],
      returning: COLUMNS,
    });
  }

  /** Deletes the schedule (no-op when missing). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'schedules', orgId, id);
  }

  /**
   * Claims up to `limit` enabled schedules of every organization due at `now`, oldest first,
   * `FOR UPDATE SKIP LOCKED` (a concurrent claimer skips them). Cross-tenant: the scheduler's
   * system transaction only.
   */
  claimDue(manager: EntityManager, now: Date, limit: number): Promise<DueScheduleRow[]> {
    return manager.query<DueScheduleRow[]>(
      `SELECT id, organization_id, task_name, payload, cron, interval_seconds, next_run_at
         FROM schedules WHERE enabled AND next_run_at <= $1
        ORDER BY next_run_at LIMIT ${Number(limit)} FOR UPDATE SKIP LOCKED`,
      [now],
    );
  }

  /**
   * Records a run of a claimed schedule (`lastRun` null when the tick was skipped, which keeps
   * the previous run) and moves it to `nextRunAt`. Scheduler only; `orgId` is the claimed row's.
   */
  async advance(
    manager: EntityManager,
    orgId: string,
    id: string,
    lastRun: { at: Date; taskId: string } | null,
    nextRunAt: Date | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE schedules
          SET last_run_at = COALESCE($3, last_run_at), last_task_id = COALESCE($4, last_task_id),
              next_run_at = $5
        WHERE organization_id = $1 AND id = $2`,
      [orgId, id, lastRun?.at ?? null, lastRun?.taskId ?? null, nextRunAt],
    );
  }

  /**
   * Takes or renews the lease `name` for `holder` until the database's `now()` + `ttlMs`: succeeds
   * when nobody holds it, `holder` already does, or the previous holder's lease has expired (the
   * database clock decides, so workers' clocks may drift). Returns whether `holder` now holds it.
   * The row stays locked until the caller's transaction ends, so a contender waits for it instead
   * of taking over mid-tick. Scheduler only (owner role).
   */
  async takeLease(
    manager: EntityManager,
    name: string,
    holder: string,
    ttlMs: number,
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO scheduler_leases AS l (name, holder, acquired_at, expires_at)
       VALUES ($1, $2, now(), now() + make_interval(secs => $3::float8 / 1000))
       ON CONFLICT (name) DO UPDATE
          SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
              acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE now() END
        WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
       RETURNING 1`,
      [name, holder, ttlMs],
    );
    return rows.length > 0;
  }

  /** Gives the lease up at once (graceful shutdown), if `holder` still holds it. */
  async releaseLease(manager: EntityManager, name: string, holder: string): Promise<void> {
    await manager.query('DELETE FROM scheduler_leases WHERE name = $1 AND holder = $2', [
      name,
      holder,
    ]);
  }
}
