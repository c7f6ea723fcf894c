import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  deleteTenantRow,
  returningRows,
  selectTenantRow,
  updateVersioned,
  historyPageConditions,
  utcMicros,
} from '../../core/database';
import type { ActivityState } from './activity-state';

/** An `activities` row as selected by {@link ActivitiesRepository} (`due_date` as `YYYY-MM-DD`). */
export interface ActivityRow {
  id: string;
  entity_type: string;
  entity_id: string;
  type: string;
  summary: string;
  note: string | null;
  due_date: string;
  assignee_user_id: string | null;
  done_at: Date | null;
  done_by: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const COLUMNS = `id, entity_type, entity_id, type, summary, note, to_char(due_date, 'YYYY-MM-DD') AS due_date,
  assignee_user_id, done_at, done_by, created_by, created_at, updated_at, version`;

/** The SQL condition of a derived state against `$today` (a parameter placeholder). */
const STATE_SQL: Record<ActivityState, (today: string) => string> = {
  overdue: (t) => `done_at IS NULL AND due_date < ${t}`,
  today: (t) => `done_at IS NULL AND due_date = ${t}`,
  planned: (t) => `done_at IS NULL AND due_date > ${t}`,
  done: () => 'done_at IS NOT NULL',
};

/** Filters of an activity list; `today` is the organization's date the state is derived against. */
export interface ActivityFilter {
  target?: { entityType: string; entityId: string };
  assigneeUserId?: string;
  entityTypes?: string[];
  state?: ActivityState;
  today: string;
}

/**
 * The only SQL on `activities`. Every method takes the caller's transaction manager and the
 * organization id first, puts the organization id in every WHERE and opens no transaction.
 */
@Injectable()
export class ActivitiesRepository {
  find(
    manager: EntityManager,
    orgId: string,
    id: string,
    forUpdate = false,
  ): Promise<ActivityRow | undefined> {
    return selectTenantRow<ActivityRow>(manager, 'activities', COLUMNS, orgId, id, { forUpdate });
  }

  /** Activities matching `filter`, by due date then id, at most `limit`. */
  list(
    manager: EntityManager,
    orgId: string,
    filter: ActivityFilter,
    limit: number,
  ): Promise<ActivityRow[]> {
    const where = ['organization_id = $1'];
    const values: unknown[] = [orgId];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    if (filter.target) {
      where.push(`entity_type = ${param(filter.target.entityType)}`);
      where.push(`entity_id = ${param(filter.target.entityId)}`);
    }
    if (filter.assigneeUserId) where.push(`assignee_user_id = ${param(filter.assigneeUserId)}`);
    if (filter.entityTypes) where.push(`entity_type = ANY (${param(filter.entityTypes)}::text[])`);
    if (filter.state === 'done') where.push(STATE_SQL.done(''));
    else if (filter.state) where.push(STATE_SQL[filter.state](`${param(filter.today)}::date`));
    return manager.query<ActivityRow[]>(
      `SELECT ${COLUMNS} FROM activities WHERE ${where.join(' AND ')}
        ORDER BY due_date, id LIMIT ${param(limit)}`,
      values,
    );
  }

  async insert(
    manager: EntityManager,
    orgId: string,
    row: {
      id: string;
      entityType: string;
      entityId: string;
      type: string;
      summary: string;
      note: string | null;
      dueDate: string;
      assigneeUserId: string | null;
      createdBy: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO activities (id, organization_id, entity_type, entity_id, type, summary, note, due_date,
                               assignee_user_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.id,
        orgId,
        row.entityType,
        row.entityId,
        row.type,
        row.summary,
        row.note,
        row.dueDate,
        row.assigneeUserId,
        row.createdBy,
      ],
    );
  }

  /** Writes every editable field at `version` (412 when the row moved on). */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    fields: {
      type: string;
      summary: string;
      note: string | null;
      dueDate: string;
      assigneeUserId: string | null;
    },
  ): Promise<ActivityRow> {
    return updateVersioned<ActivityRow>(manager, {
      table: 'activities',
      organizationId: orgId,
      id,
      version,
      set: 'type = $4, summary = $5, note = $6, due_date = $7, assignee_user_id = $8',
      values: [fields.type, fields.summary, fields.note, fields.dueDate, fields.assigneeUserId],
      returning: COLUMNS,
    });
  }

  /** Marks it done at `at` by `userId` (null for an API key) at `version`. */
  markDone(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    at: Date,
    userId: string | null,
  ): Promise<ActivityRow> {
    return updateVersioned<ActivityRow>(manager, {
      table: 'activities',
      organizationId: orgId,
      id,
      version,
      set: 'done_at = $4, done_by = $5',
      values: [at, userId],
      returning: COLUMNS,
    });
  }

  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'activities', orgId, id);
  }

  /**
   * The organizations that may have an activity to announce as overdue on a day up to
   * `latestToday` (the furthest-ahead "today" of any time zone): open, due before it, not yet
   * announced that day. The daily sweep's one cross-tenant read (inside
   * `runAsSystem('background-jobs')`); each organization is then swept in its own tenant
   * transaction against its own date.
   */
  async organizationsWithOverdue(manager: EntityManager, latestToday: string): Promise<string[]> {
    const rows = await manager.query<{ organization_id: string }[]>(
      `SELECT DISTINCT organization_id FROM activities
        WHERE done_at IS NULL AND due_date < $1::date
          AND (overdue_notified_on IS NULL OR overdue_notified_on < $1::date)`,
      [latestToday],
    );
    return rows.map((row) => row.organization_id);
  }

  /**
   * Claims at most `limit` open activities due before `today` (the organization's date) not yet
   * announced on `today`: sets `overdue_notified_on = today` and returns them. A concurrent sweep
   * waits on the row locks and then finds the condition false, so each activity is claimed once a
   * day.
   */
  claimOverdue(
    manager: EntityManager,
    orgId: string,
    today: string,
    limit: number,
  ): Promise<ActivityRow[]> {
    return returningRows<ActivityRow>(
      manager,
      `UPDATE activities SET overdue_notified_on = $2::date
          WHERE id IN (SELECT id FROM activities
                        WHERE organization_id = $1 AND done_at IS NULL AND due_date < $2::date
                          AND (overdue_notified_on IS NULL OR overdue_notified_on < $2::date)
                        ORDER BY due_date, id LIMIT $3
                        FOR UPDATE SKIP LOCKED)
            AND organization_id = $1
          RETURNING ${COLUMNS}`,
      [orgId, today, limit],
    );
  }

  /** Deletes every activity of one target. */
  async deleteForTarget(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<void> {
    await manager.query(
      'DELETE FROM activities WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3',
      [orgId, entityType, entityId],
    );
  }

  /**
   * One page of a target's finished activities for its timeline: newest `done_at` first, strictly
   * older than `before` in (done_at DESC, id DESC), at most `limit` (partial index
   * `ix_activities_done_timeline`).
   */
  donePage(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
    before: { at: string; id: string } | null,
    limit: number,
  ): Promise<ActivityTimelineRow[]> {
    const where = historyPageConditions(
      'a',
      'done_at',
      orgId,
      { entityType, entityId },
      before,
    ).add('a.done_at IS NOT NULL');
    return manager.query<ActivityTimelineRow[]>(
      `SELECT a.id, ${utcMicros('a.done_at')} AS at, a.done_by, a.type, a.summary,
              to_char(a.due_date, 'YYYY-MM-DD') AS due_date, a.assignee_user_id
         FROM activities a WHERE ${where.sql}
        ORDER BY a.done_at DESC, a.id DESC LIMIT ${Number(limit)}`,
      where.params,
    );
  }
}

/** One finished activity as a record's timeline shows it (`donePage`). */
export interface ActivityTimelineRow {
  id: string;
  /** `done_at` as exact UTC text with microseconds. */
  at: string;
  done_by: string | null;
  type: string;
  summary: string;
  due_date: string;
  assignee_user_id: string | null;
}
