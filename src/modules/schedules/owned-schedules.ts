import { Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../core/clock';
import { nextRun } from './schedule-rules';
import { SchedulesRepository } from './schedules.repository';

/** What another module wants scheduled (a cron expression in UTC, a registered job). */
export interface OwnedScheduleSpec {
  name: string;
  taskName: string;
  payload: Record<string, unknown>;
  cron: string;
  enabled: boolean;
}

/**
 * Schedules another module keeps in step with its own rows (automation's `schedule` trigger: one
 * schedule per rule, id = the rule's id), written in the caller's transaction so the owner's row
 * and its schedule commit together. The scheduler runs them like any schedule; they show in
 * `GET /schedules`. No audit row of their own: the owner audits its change.
 */
@Injectable()
export class OwnedSchedules {
  constructor(
    private readonly repository: SchedulesRepository,
    private readonly clock: Clock,
  ) {}

  /** Makes schedule `id` match `spec` (created, changed or — for null — deleted). */
  async put(
    manager: EntityManager,
    orgId: string,
    id: string,
    spec: OwnedScheduleSpec | null,
  ): Promise<void> {
    const current = await this.repository.findById(manager, orgId, id);
    if (!spec) {
      if (current) await this.repository.delete(manager, orgId, id);
      return;
    }
    const rule = { cron: spec.cron, intervalSeconds: null };
    const nextRunAt = spec.enabled ? nextRun(rule, this.clock.now()) : null;
    if (!current) {
      await this.repository.insert(manager, orgId, {
        id,
        ...spec,
        intervalSeconds: null,
        nextRunAt,
      });
      return;
    }
    await this.repository.update(manager, orgId, id, current.version, {
      ...spec,
      intervalSeconds: null,
      nextRunAt,
    });
  }
}

/** Provides {@link OwnedSchedules} to other modules (no controller). */
@Module({
  providers: [OwnedSchedules, SchedulesRepository],
  exports: [OwnedSchedules],
})
export class OwnedSchedulesModule {}
