import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { iso } from '../../core/database';
import { assertVersionMatches, ExpectedVersion, NotFoundError } from '../../core/http';
import { TargetDefinition, TargetRegistry } from '../../core/targets';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { AuditEntry, AuditService } from '../audit';
import { OrganizationsService } from '../organizations';
import { UserAccountsService } from '../users';
import { ActivitiesErrors } from './activities.errors';
import { ActivityRow, ActivitiesRepository } from './activities.repository';
import { ActivityState, localDate, stateOf } from './activity-state';
import type { ActivityDto, CreateActivityDto, UpdateActivityDto } from './dto/activity.dto';

/** Who is acting: a user (or an API key: `userId` null) and their permissions in the organization. */
export interface ActivityCaller {
  userId: string | null;
  permissions: ReadonlySet<string>;
}

/** An audit entry with its domain event (`AuditEntry.event`, issue 17 §2); see comments. */
type EventfulEntry = AuditEntry & {
  event?: { data?: Record<string, unknown>; type?: string; skip?: boolean };
};

/** At most this many activities per list (a record's or a person's open work, never a report). */
const LIST_LIMIT = 500;

const toDto = (row: ActivityRow, today: string): ActivityDto => ({
  id: row.id,
  entityType: row.entity_type,
  entityId: row.entity_id,
  type: row.type as ActivityDto['type'],
  summary: row.summary,
  note: row.note,
  dueDate: row.due_date,
  state: stateOf(row.due_date, row.done_at !== null, today),
  assigneeUserId: row.assignee_user_id,
  doneAt: iso(row.done_at),
  doneBy: row.done_by,
  createdBy: row.created_by,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/**
 * Scheduled activities on registered targets (Odoo's mail.activity, SPEC-P3 §3). Every route
 * needs its `activities:*` permission and read permission on the target (404 otherwise, as for a
 * missing or other-tenant target or activity). The state is derived against today's date in the
 * organization's time zone (its `timezone`, UTC by default) from the injected `Clock`. Writes are
 * audited with their `activity.*` domain event (issue 17 §3).
 */
@Injectable()
export class ActivitiesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: ActivitiesRepository,
    private readonly audit: AuditService,
    private readonly targets: TargetRegistry,
    private readonly access: AccessService,
    private readonly accounts: UserAccountsService,
    private readonly organizations: OrganizationsService,
    private readonly clock: Clock,
  ) {}

  /** A target's activities by due date, filtered by derived `state` and `assignee`. */
  list(
    orgId: string,
    caller: ActivityCaller,
    target: { entityType: string; entityId: string },
    filter: { state?: ActivityState; assignee?: string },
  ): Promise<ActivityDto[]> {
    // Read path: one round trip per statement (no BEGIN/COMMIT), RLS as in `run` (SPEC §8).
    return this.db.read(orgId, async (manager) => {
      await this.targets.assertReadable(
        manager,
        orgId,
        caller.permissions,
        target.entityType,
        target.entityId,
      );
      const today = await this.today(manager, orgId);
      const rows = await this.repository.list(
        manager,
        orgId,
        { target, state: filter.state, assigneeUserId: filter.assignee, today },
        LIST_LIMIT,
      );
      return rows.map((row) => toDto(row, today));
    });
  }

  /**
   * The caller's activities in the active organization across targets, by due date: only those
   * on target types the caller may read.
   */
  mine(
    orgId: string,
    caller: ActivityCaller & { userId: string },
    state: ActivityState | undefined,
  ): Promise<ActivityDto[]> {
    return this.db.read(orgId, async (manager) => {
      const readable = this.targets
        .types()
        .filter((type) => this.targets.allows(this.targets.get(type), caller.permissions));
      const today = await this.today(manager, orgId);
      const rows = await this.repository.list(
        manager,
        orgId,
        { assigneeUserId: caller.userId, entityTypes: readable, state, today },
        LIST_LIMIT,
      );
      return rows.map((row) => toDto(row, today));
    });
  }

  /** Schedules an activity on a target the caller can read; 422 `invalid_assignee`. */
  async create(
    orgId: string,
    caller: ActivityCaller,
    dto: CreateActivityDto,
    context: AuditContext,
  ): Promise<ActivityDto> {
    return this.db.run(orgId, async (manager) => {
      const target = { entityType: dto.entityType, entityId: dto.entityId };
      const definition = await this.targets.assertAccessible(
        manager,
        orgId,
        caller.permissions,
        target.entityType,
        target.entityId,
      );
      const assignee = dto.assigneeUserId ?? null;
      if (assignee) await this.checkAssignee(orgId, definition, assignee);
      const id = uuidv7();
      await this.repository.insert(manager, orgId, {
        id,
        ...target,
        type: dto.type,
        summary: dto.summary,
        note: dto.note ?? null,
        dueDate: dto.dueDate,
        assigneeUserId: assignee,
        createdBy: caller.userId,
      });
      const entry: EventfulEntry = {
        organizationId: orgId,
        action: 'create',
        entityType: 'activity',
        entityId: id,
        changes: { ...target, type: dto.type, summary: dto.summary, dueDate: dto.dueDate },
        context,
        event: {
          data: {
            target,
            assigneeUserId: assignee,
            previousAssigneeUserId: null,
            summary: dto.summary,
            dueDate: dto.dueDate,
          },
        },
      };
      await this.audit.record(manager, entry);
      return this.one(manager, orgId, id);
    });
  }

  /** Changes fields (`If-Match` honoured, 412); a new assignee must qualify (422). */
  update(
    orgId: string,
    caller: ActivityCaller,
    id: string,
    dto: UpdateActivityDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<ActivityDto> {
    return this.db.run(orgId, async (manager) => {
      const { row, definition } = await this.visible(manager, orgId, caller, id);
      const assignee = dto.assigneeUserId === undefined ? row.assignee_user_id : dto.assigneeUserId;
      if (assignee && assignee !== row.assignee_user_id) {
        await this.checkAssignee(orgId, definition, assignee);
      }
      assertVersionMatches(expectedVersion, row.version);
      const today = await this.today(manager, orgId);
      const before = toDto(row, today);
      const next = {
        type: dto.type ?? before.type,
        summary: dto.summary ?? before.summary,
        note: dto.note === undefined ? before.note : dto.note,
        dueDate: dto.dueDate ?? before.dueDate,
        assigneeUserId: assignee,
      };
      const entry: Omit<EventfulEntry, 'changes'> = {
        organizationId: orgId,
        action: 'update',
        entityType: 'activity',
        entityId: id,
        context,
        event: {
          data: {
            target: { entityType: row.entity_type, entityId: row.entity_id },
            assigneeUserId: assignee,
            previousAssigneeUserId: row.assignee_user_id,
            summary: next.summary,
            dueDate: next.dueDate,
          },
        },
      };
      // A PATCH that changes nothing is rolled back and not audited (AuditService.recordUpdate).
      const after = await this.audit.recordUpdate(
        manager,
        before,
        ['type', 'summary', 'note', 'dueDate', 'assigneeUserId'],
        async () =>
          toDto(await this.repository.update(manager, orgId, id, row.version, next), today),
        entry,
      );
      return after;
    });
  }

  /** Marks it done now (`doneAt`, `doneBy`); done twice changes nothing. `If-Match` honoured. */
  done(
    orgId: string,
    caller: ActivityCaller,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<ActivityDto> {
    return this.db.run(orgId, async (manager) => {
      const { row } = await this.visible(manager, orgId, caller, id);
      assertVersionMatches(expectedVersion, row.version);
      const today = await this.today(manager, orgId);
      if (row.done_at) return toDto(row, today);
      const after = await this.repository.markDone(
        manager,
        orgId,
        id,
        row.version,
        this.clock.now(),
        caller.userId,
      );
      const target = { entityType: row.entity_type, entityId: row.entity_id };
      const entry: EventfulEntry = {
        organizationId: orgId,
        action: 'done',
        entityType: 'activity',
        entityId: id,
        changes: { doneAt: iso(after.done_at) },
        context,
        event: {
          type: 'activity.done',
          data: {
            target,
            assigneeUserId: row.assignee_user_id,
            summary: row.summary,
            dueDate: row.due_date,
          },
        },
      };
      await this.audit.record(manager, entry);
      return toDto(after, today);
    });
  }

  /** Deletes it (`If-Match` honoured). */
  delete(
    orgId: string,
    caller: ActivityCaller,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      const { row } = await this.visible(manager, orgId, caller, id);
      assertVersionMatches(expectedVersion, row.version);
      await this.repository.delete(manager, orgId, id);
      const target = { entityType: row.entity_type, entityId: row.entity_id };
      const entry: EventfulEntry = {
        organizationId: orgId,
        action: 'delete',
        entityType: 'activity',
        entityId: id,
        changes: { ...target, summary: row.summary, dueDate: row.due_date },
        context,
        event: { data: { target } },
      };
      await this.audit.record(manager, entry);
    });
  }

  /** The activity (locked) and its target's definition; 404 unless both are visible to the caller. */
  private async visible(
    manager: EntityManager,
    orgId: string,
    caller: ActivityCaller,
    id: string,
  ): Promise<{ row: ActivityRow; definition: TargetDefinition }> {
    const row = await this.repository.find(manager, orgId, id, true);
    if (!row) throw new NotFoundError('Activity');
    const definition = await this.targets.assertAccessible(
      manager,
      orgId,
      caller.permissions,
      row.entity_type,
      row.entity_id,
    );
    return { row, definition };
  }

  /** 422 `invalid_assignee` unless `userId` is an active member who can read the target. */
  private async checkAssignee(
    orgId: string,
    definition: TargetDefinition,
    userId: string,
  ): Promise<void> {
    const account = await this.accounts.findById(userId);
    const access =
      account && account.is_active ? await this.access.resolve(userId, orgId, false) : null;
    if (!access?.member || !this.targets.allows(definition, new Set(access.permissions))) {
      throw ActivitiesErrors.invalid_assignee(userId);
    }
  }

  /** Today in the organization's time zone (UTC when it has none). */
  private async today(manager: EntityManager, orgId: string): Promise<string> {
    const organization = await this.organizations.findInTransaction(manager, orgId);
    return localDate(this.clock.now(), organization?.timezone || 'UTC');
  }

  private async one(manager: EntityManager, orgId: string, id: string): Promise<ActivityDto> {
    const row = await this.repository.find(manager, orgId, id);
    if (!row) throw new NotFoundError('Activity');
    return toDto(row, await this.today(manager, orgId));
  }
}

/**
 * Activities hang off targets: registered as `TargetChildren`, deleted with their target in the
 * same transaction (SPEC-P3 §0).
 */
@Injectable()
export class ActivityChildrenRegistration implements OnModuleInit {
  constructor(
    private readonly targets: TargetRegistry,
    private readonly repository: ActivitiesRepository,
  ) {}

  onModuleInit(): void {
    this.targets.registerChildren({
      name: 'activities',
      deleteFor: (manager, orgId, entityType, entityId) =>
        this.repository.deleteForTarget(manager, orgId, entityType, entityId),
    });
  }
}
