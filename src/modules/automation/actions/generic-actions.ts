import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantDatabase } from '../../../core/tenancy';
import { ACTIVITY_TYPES, ActivitiesService } from '../../activities';
import { CommentsService } from '../../comments';
import { FollowersService } from '../../followers';
import { MailService } from '../../mail';
import { MemberDirectory } from '../../memberships';
import { NotificationsService } from '../../notifications';
import { TagsService } from '../../tags';
import {
  AutomationAction,
  AutomationActionContext,
  AutomationActionRegistry,
} from '../../../core/automation';
import { RecordUpdaters, TargetRegistry } from '../../../core/targets';
import { AutomationErrors } from '../automation.errors';
import { RecordFields } from './record-fields';

const UUID = { type: 'string', format: 'uuid' };
const USER_IDS = { type: 'array', items: UUID, minItems: 1, maxItems: 50, uniqueItems: true };

/** Today (UTC) + `days`, as YYYY-MM-DD. */
const dueDate = (days: number) =>
  new Date(Date.now() + days * 24 * 60 * 60_000).toISOString().slice(0, 10);

/** The record an action works on; 422 `target_required` for a run without one. */
function targetOf(ctx: AutomationActionContext, action: string) {
  if (!ctx.target) throw AutomationErrors.target_required(action);
  return ctx.target;
}

/**
 * The generic actions of SPEC-P3 §8 (`update_record`, `add_tag`, `add_follower`, `notify`,
 * `send_email`), registered into {@link AutomationActionRegistry} in the API (catalog, validation,
 * dry runs) and the worker (runs). Each runs as the rule's run-as user (`ctx.actor`): record
 * writes need the target's update permission, as the matching route would.
 */
@Injectable()
export class GenericActionsRegistration implements OnModuleInit {
  constructor(
    private readonly registry: AutomationActionRegistry,
    private readonly updaters: RecordUpdaters,
    private readonly fields: RecordFields,
    private readonly targets: TargetRegistry,
    private readonly db: TenantDatabase,
    private readonly tags: TagsService,
    private readonly followers: FollowersService,
    private readonly notifications: NotificationsService,
    private readonly members: MemberDirectory,
    private readonly mail: MailService,
    private readonly comments: CommentsService,
    private readonly activities: ActivitiesService,
  ) {}

  onModuleInit(): void {
    for (const action of this.actions()) this.registry.register(action);
  }

  /** Throws 403 `permission_denied` unless the actor may change records of the target's type, 404 when it is gone. */
  private async assertCanUpdate(ctx: AutomationActionContext, action: string) {
    const target = targetOf(ctx, action);
    const definition = this.targets.get(target.entityType);
    if (!ctx.actor.permissions.has(definition.updatePermission)) {
      throw AutomationErrors.permission_denied(definition.updatePermission);
    }
    // A transaction (not a read-only statement): `exists` share-locks the row. Writes nothing.
    await this.db.run(ctx.organizationId, (manager) =>
      this.targets.assertAccessible(
        manager,
        ctx.organizationId,
        ctx.actor.permissions,
        target.entityType,
        target.entityId,
        'update',
      ),
    );
    return target;
  }

  /**
   * The record, which the actor may read (404 otherwise), and 403 `permission_denied` unless the
   * actor holds `permission` (the matching route's, e.g. `comments:create`).
   */
  private async assertMayAdd(ctx: AutomationActionContext, action: string, permission: string) {
    const target = targetOf(ctx, action);
    if (!ctx.actor.permissions.has(permission))
      throw AutomationErrors.permission_denied(permission);
    await this.db.run(ctx.organizationId, (manager) =>
      this.targets.assertAccessible(
        manager,
        ctx.organizationId,
        ctx.actor.permissions,
        target.entityType,
        target.entityId,
        'read',
      ),
    );
    return target;
  }

  private actions(): AutomationAction[] {
    const updateRecord: AutomationAction<{ fields: Record<string, unknown> }> = {
      name: 'update_record',
      description:
        'Sets fields of the record through its module’s update (invariants, versioning, audit); the fields an entity type allows are those of its update route (products: name, description, status, price, …)',
      paramsSchema: {
        type: 'object',
        required: ['fields'],
        additionalProperties: false,
        properties: {
          fields: { type: 'object', minProperties: 1, maxProperties: 20 },
        },
      },
      preview: async (ctx, params) => {
        const target = await this.assertCanUpdate(ctx, 'update_record');
        const fields = await this.fields.check(target.entityType, params.fields, '/fields');
        return { status: 'succeeded', output: { wouldUpdate: fields, entityId: target.entityId } };
      },
      run: async (ctx, params) => {
        const target = await this.assertCanUpdate(ctx, 'update_record');
        const fields = await this.fields.check(target.entityType, params.fields, '/fields');
        const updater = this.updaters.get(target.entityType)!;
        const { version } = await updater.update(
          ctx.organizationId,
          target.entityId,
          fields,
          ctx.actor,
          ctx.context,
        );
        return {
          status: 'succeeded',
          output: { updated: Object.keys(fields), entityId: target.entityId, version },
        };
      },
    };

    const addTag: AutomationAction<{ names: string[] }> = {
      name: 'add_tag',
      description:
        'Adds tags to the record (unknown names create tags only when the run-as user holds tags:create)',
      paramsSchema: {
        type: 'object',
        required: ['names'],
        additionalProperties: false,
        properties: {
          names: {
            type: 'array',
            minItems: 1,
            maxItems: 20,
            items: { type: 'string', minLength: 1, maxLength: 50 },
          },
        },
      },
      preview: async (ctx, params) => {
        const target = await this.assertCanUpdate(ctx, 'add_tag');
        return {
          status: 'succeeded',
          output: { wouldAdd: params.names, entityId: target.entityId },
        };
      },
      run: async (ctx, params) => {
        const target = await this.assertCanUpdate(ctx, 'add_tag');
        const current = await this.tags.tagsOf(
          ctx.organizationId,
          ctx.actor,
          target.entityType,
          target.entityId,
        );
        const tags = await this.tags.replaceTags(
          ctx.organizationId,
          ctx.actor,
          target.entityType,
          target.entityId,
          [...current, ...params.names],
          ctx.context,
        );
        return { status: 'succeeded', output: { tags } };
      },
    };

    const addFollower: AutomationAction<{ userId: string }> = {
      name: 'add_follower',
      description:
        'Makes a member follow the record (they must be able to read it; the run-as user needs its update permission)',
      paramsSchema: {
        type: 'object',
        required: ['userId'],
        additionalProperties: false,
        properties: { userId: UUID },
      },
      preview: async (ctx, params) => {
        const target = await this.assertCanUpdate(ctx, 'add_follower');
        return {
          status: 'succeeded',
          output: { wouldFollow: params.userId, entityId: target.entityId },
        };
      },
      run: async (ctx, params) => {
        const target = await this.assertCanUpdate(ctx, 'add_follower');
        await this.followers.addFollower(ctx.organizationId, ctx.actor, target, params.userId);
        return { status: 'succeeded', output: { follower: params.userId } };
      },
    };

    const notify: AutomationAction<{ userIds: string[]; title: string; body?: string }> = {
      name: 'notify',
      description:
        'Sends an in-app notification (type automation.notify) about the record to members of the organization (others are skipped)',
      paramsSchema: {
        type: 'object',
        required: ['userIds', 'title'],
        additionalProperties: false,
        properties: {
          userIds: USER_IDS,
          title: { type: 'string', minLength: 1, maxLength: 200 },
          body: { type: 'string', maxLength: 2000 },
        },
      },
      preview: async (ctx, params) => {
        const recipients = await this.recipients(ctx, params.userIds);
        return {
          status: 'succeeded',
          output: { wouldNotify: recipients.map((m) => m.userId), title: params.title },
        };
      },
      run: async (ctx, params) => {
        const target = ctx.target;
        const result = await this.db.run(ctx.organizationId, (manager) =>
          this.notifications.notify(manager, {
            organizationId: ctx.organizationId,
            recipientUserIds: params.userIds,
            type: 'automation.notify',
            actorUserId: ctx.actor.userId,
            target,
            title: params.title,
            body: params.body,
            actionPath: target ? this.targets.get(target.entityType).path(target.entityId) : null,
            data: { automationRuleId: ctx.ruleId, automationRunId: ctx.runId },
            dedupeKey: `automation:${ctx.runId}:${params.title.slice(0, 120)}`,
          }),
        );
        result.afterCommit();
        return { status: 'succeeded', output: { notified: result.created } };
      },
    };

    const sendEmail: AutomationAction<{ userIds: string[]; subject: string; body: string }> = {
      name: 'send_email',
      description:
        'E-mails members of the organization (template automation-email; subject and body from the rule, as plain text). Only members: never an arbitrary address',
      paramsSchema: {
        type: 'object',
        required: ['userIds', 'subject', 'body'],
        additionalProperties: false,
        properties: {
          userIds: USER_IDS,
          subject: { type: 'string', minLength: 1, maxLength: 200 },
          body: { type: 'string', minLength: 1, maxLength: 5000 },
        },
      },
      preview: async (ctx, params) => {
        const recipients = await this.recipients(ctx, params.userIds);
        return {
          status: 'succeeded',
          output: { wouldEmail: recipients.map((m) => m.userId), subject: params.subject },
        };
      },
      run: async (ctx, params) => {
        const recipients = await this.recipients(ctx, params.userIds);
        const rule = ctx.ruleId;
        const link = ctx.target
          ? this.targets.get(ctx.target.entityType).path(ctx.target.entityId)
          : '';
        for (const member of recipients) {
          await this.mail.send(
            member.email,
            'automation-email',
            member.language ?? ctx.actor.organizationLanguage ?? 'en',
            { name: member.fullName, subject: params.subject, body: params.body, rule, link },
          );
        }
        return { status: 'succeeded', output: { emailed: recipients.map((m) => m.userId) } };
      },
    };

    const createComment: AutomationAction<{ body: string }> = {
      name: 'create_comment',
      description:
        'Posts a comment on the record as the run-as user (comments:create; mentions as in the comments route)',
      paramsSchema: {
        type: 'object',
        required: ['body'],
        additionalProperties: false,
        properties: { body: { type: 'string', minLength: 1, maxLength: 10000, pattern: '\\S' } },
      },
      preview: async (ctx, params) => {
        const target = await this.assertMayAdd(ctx, 'create_comment', 'comments:create');
        return {
          status: 'succeeded',
          output: { wouldComment: params.body.slice(0, 140), entityId: target.entityId },
        };
      },
      run: async (ctx, params) => {
        const target = await this.assertMayAdd(ctx, 'create_comment', 'comments:create');
        const comment = await this.comments.create(
          ctx.organizationId,
          { userId: ctx.actor.userId!, permissions: ctx.actor.permissions },
          { entityType: target.entityType, entityId: target.entityId, body: params.body },
          ctx.context,
        );
        return { status: 'succeeded', output: { commentId: comment.id } };
      },
    };

    const createActivity: AutomationAction<{
      type?: (typeof ACTIVITY_TYPES)[number];
      summary: string;
      note?: string;
      dueInDays: number;
      assigneeUserId?: string;
    }> = {
      name: 'create_activity',
      description:
        'Schedules an activity on the record, due dueInDays after the run (UTC date), as the run-as user (activities:create)',
      paramsSchema: {
        type: 'object',
        required: ['summary', 'dueInDays'],
        additionalProperties: false,
        properties: {
          type: { enum: [...ACTIVITY_TYPES] },
          summary: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
          note: { type: 'string', maxLength: 10000 },
          dueInDays: { type: 'integer', minimum: 0, maximum: 365 },
          assigneeUserId: UUID,
        },
      },
      preview: async (ctx, params) => {
        const target = await this.assertMayAdd(ctx, 'create_activity', 'activities:create');
        return {
          status: 'succeeded',
          output: {
            wouldSchedule: params.summary,
            dueDate: dueDate(params.dueInDays),
            entityId: target.entityId,
          },
        };
      },
      run: async (ctx, params) => {
        const target = await this.assertMayAdd(ctx, 'create_activity', 'activities:create');
        const activity = await this.activities.create(
          ctx.organizationId,
          { userId: ctx.actor.userId, permissions: ctx.actor.permissions },
          {
            entityType: target.entityType,
            entityId: target.entityId,
            summary: params.summary,
            note: params.note ?? null,
            dueDate: dueDate(params.dueInDays),
            assigneeUserId: params.assigneeUserId ?? null,
            type: params.type ?? 'todo',
          },
          ctx.context,
        );
        return { status: 'succeeded', output: { activityId: activity.id } };
      },
    };

    return [
      updateRecord,
      addTag,
      addFollower,
      notify,
      sendEmail,
      createComment,
      createActivity,
    ] as AutomationAction[];
  }

  /** The active members among `userIds` (anyone else is skipped, never addressed). */
  private recipients(ctx: AutomationActionContext, userIds: string[]) {
    return this.db.read(ctx.organizationId, (manager) =>
      this.members.activeMembers(manager, ctx.organizationId, { userIds }),
    );
  }
}
