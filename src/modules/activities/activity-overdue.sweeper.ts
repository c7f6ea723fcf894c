import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../../core/clock';
import { TenantDatabase } from '../../core/tenancy';
import { DomainEventInput, DomainEvents } from '../domain-events';
import { OrganizationsService } from '../organizations';
import { ActivitiesRepository, ActivityRow } from './activities.repository';
import { localDate } from './activity-state';

/**
 * How often the worker looks for newly overdue activities. Hourly, because "a new day" comes at a
 * different instant in every organization's time zone; the column `overdue_notified_on` makes
 * every extra pass of a day a no-op.
 */
export const OVERDUE_SWEEP_INTERVAL_MS = 60 * 60_000;
/** Activities claimed (and events published) per transaction. */
const CLAIM_BATCH = 500;
/** The time zone whose date is furthest ahead (UTC+14): no organization's today is later. */
const FURTHEST_AHEAD_ZONE = 'Pacific/Kiritimati';

/**
 * The daily `activity.overdue` announcement (issue 17 §3). A worker-side sweep rather than a row
 * in `schedules`: schedules are an organization's own recurring tasks, created and seen by its
 * admins, while this runs for every organization and must exist without anyone creating it (the
 * same choice as the notification e-mail sweep).
 *
 * Every `OVERDUE_SWEEP_INTERVAL_MS` (and on `flush()`), for every organization that is not archived
 * (an archived organization is read-only): "today" is the date in the organization's `timezone`
 * (UTC when it has none) at the injected `Clock`'s now; every activity that is not done and is due
 * before today, and was not announced today, is claimed (its `overdue_notified_on` set to today,
 * `FOR UPDATE SKIP LOCKED`) and one `activity.overdue` domain event is published for it in the
 * same transaction (`DomainEvents.publishMany`; actor null; data `{ target, assigneeUserId,
 * summary, dueDate }`). So each overdue activity yields exactly one event per day of the
 * organization, however many passes or workers run; the notifications consumer turns it into an
 * `activity.overdue` notification for the assignee.
 */
@Injectable()
export class ActivityOverdueSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ActivityOverdueSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: ActivitiesRepository,
    private readonly organizations: OrganizationsService,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.flush().catch((error: Error) => this.logger.warn(`overdue sweep: ${error.message}`));
    }, OVERDUE_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Announces every activity overdue and not yet announced today; resolves to how many. */
  flush(): Promise<number> {
    this.running ??= this.sweep().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(): Promise<number> {
    const now = this.clock.now();
    const latestToday = localDate(now, FURTHEST_AHEAD_ZONE);
    const orgIds = await this.db.runAsSystem('background-jobs', async (manager) => {
      const ids = await this.repository.organizationsWithOverdue(manager, latestToday);
      const archived = await this.organizations.archivedAmong(manager, ids);
      return ids.filter((id) => !archived.has(id));
    });
    let published = 0;
    for (const orgId of orgIds) {
      try {
        published += await this.sweepOrganization(orgId, now);
      } catch (error) {
        // One organization's failure must not keep the others' reminders back; retried next pass.
        this.logger.warn({ orgId, error: (error as Error).message }, 'overdue sweep failed');
      }
    }
    return published;
  }

  private async sweepOrganization(orgId: string, now: Date): Promise<number> {
    let published = 0;
    for (;;) {
      const claimed = await this.db.run(orgId, async (manager) => {
        const organization = await this.organizations.findInTransaction(manager, orgId);
        const today = localDate(now, organization?.timezone || 'UTC');
        const rows = await this.repository.claimOverdue(manager, orgId, today, CLAIM_BATCH);
        if (rows.length > 0) {
          await this.events.publishMany(
            manager,
            rows.map((row) => overdueEvent(orgId, row)),
          );
        }
        return rows.length;
      });
      published += claimed;
      if (claimed < CLAIM_BATCH) return published;
    }
  }
}

/** The `activity.overdue` event of one claimed activity (issue 17 §3; no actor: the system). */
function overdueEvent(orgId: string, row: ActivityRow): DomainEventInput {
  return {
    organizationId: orgId,
    type: 'activity.overdue',
    entityType: 'activity',
    entityId: row.id,
    actorUserId: null,
    actorApiKeyId: null,
    data: {
      target: { entityType: row.entity_type, entityId: row.entity_id },
      assigneeUserId: row.assignee_user_id,
      summary: row.summary,
      dueDate: row.due_date,
    },
  };
}
