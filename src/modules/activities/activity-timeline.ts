import { Injectable, OnModuleInit } from '@nestjs/common';
import { TimelineSources } from '../timeline';
import { ActivitiesRepository } from './activities.repository';

/**
 * Registers the `activity_done` timeline source (SPEC-P3 §3): a record's finished activities,
 * newest `doneAt` first, `data` = `{ activityId, type, summary, dueDate, assigneeUserId }`; the
 * actor is who marked it done. Needs `activities:read` besides reading the target.
 */
@Injectable()
export class ActivityTimelineSource implements OnModuleInit {
  constructor(
    private readonly sources: TimelineSources,
    private readonly repository: ActivitiesRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register({
      kind: 'activity_done',
      readPermission: 'activities:read',
      page: async (manager, orgId, target, before, limit) =>
        (
          await this.repository.donePage(
            manager,
            orgId,
            target.entityType,
            target.entityId,
            before,
            limit,
          )
        ).map((row) => ({
          id: row.id,
          kind: 'activity_done' as const,
          at: row.at,
          actorUserId: row.done_by,
          data: {
            activityId: row.id,
            type: row.type,
            summary: row.summary,
            dueDate: row.due_date,
            assigneeUserId: row.assignee_user_id,
          },
        })),
    });
  }
}
