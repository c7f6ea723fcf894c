import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditContext, Principal, userRequiredError } from '../../core/auth';
import { Clock } from '../../core/clock';
import { iso } from '../../core/database';
import { InvalidFilterError } from '../../core/filters';
import {
  assertVersionMatches,
  compileListFilter,
  defineList,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  PreconditionFailedError,
  toPage,
} from '../../core/http';
import { TargetRegistry } from '../../core/targets';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type {
  PendingWorkflowActionDto,
  WorkflowActionDto,
  WorkflowInstanceDto,
} from './dto/workflow-instance.dto';
import { WorkflowSubjects } from './workflow-subjects';
import { WorkflowWriteGuard } from './workflow-write-guard';
import { WorkflowsErrors } from './workflows.errors';
import {
  InstanceRow,
  StateRow,
  TransitionRow,
  WorkflowRow,
  WorkflowsRepository,
} from './workflows.repository';

/** The approval inbox: paged, oldest instance first (no sort or filter choices). */
export const PENDING_ACTIONS_LIST: ListDefinition<never, never> = defineList({
  resource: 'workflow-actions',
  sortable: [],
  defaultSort: '',
  fields: {},
  filters: {},
});

/** Who acts: the caller (a route's principal, or an automation rule's runAs user). */
export type WorkflowActor = Pick<Principal, 'userId' | 'apiKeyId' | 'permissions'>;

/** A record's workflow as loaded in one transaction. */
interface Loaded {
  workflow: Pick<WorkflowRow, 'id' | 'revision'>;
  instance: InstanceRow | undefined;
  states: StateRow[];
  transitions: TransitionRow[];
  state: StateRow;
}

/** What a transition call did. */
export interface TransitionOutcome {
  fired: boolean;
  from: string;
  to: string;
  /** The record's own status was written (its owner's after-commit hook is due). */
  statusWritten?: boolean;
}

/**
 * Workflow instances (SPEC-P3 §7): one per record, started lazily — a record of a type with an
 * active workflow and no instance shows the initial state of the active revision (version 0), and
 * its first transition (or approval) creates the instance on that revision, which it keeps when a
 * newer revision is activated. A transition is one transaction under the instance's row lock:
 * the approval row, or the state change + history row + the record's status (through its owner's
 * `writeStatus`) + audit row (publishing `workflow.transitioned`). Rules, in order: the record is
 * readable (else 404), the action exists (422 `unknown_action`) from the current state (409
 * `transition_not_available`; final states have none), the caller holds an allowed role (403
 * `transition_not_allowed`), a comment when required (422 at `/comment`), self-approval
 * (403 `self_approval_not_allowed`: "self" = the user who created the record — its `create`
 * audit row — or who started its instance), the condition (409 `transition_condition_not_met`),
 * then approvals (`minApprovals` distinct users; a repeat → 409 `already_approved`).
 */
@Injectable()
export class WorkflowInstancesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: WorkflowsRepository,
    private readonly audit: AuditService,
    private readonly targets: TargetRegistry,
    private readonly subjects: WorkflowSubjects,
    private readonly guard: WorkflowWriteGuard,
    private readonly clock: Clock,
  ) {}

  /** The record's workflow state, history and the caller's actions; 404 when unreadable or ungoverned. */
  view(
    orgId: string,
    actor: WorkflowActor,
    entityType: string,
    entityId: string,
  ): Promise<WorkflowInstanceDto> {
    // Read path: one round trip per statement (no BEGIN/COMMIT), RLS as in `run` (SPEC §8); the
    // target check takes no share lock (it writes nothing a delete could orphan).
    return this.db.read(orgId, async (manager) => {
      await this.targets.assertReadable(manager, orgId, actor.permissions, entityType, entityId);
      const loaded = await this.load(manager, orgId, entityType, entityId, false);
      return this.describe(manager, orgId, actor, entityType, entityId, loaded);
    });
  }

  /**
   * Applies `action` as `actor` (see the class rules). `expectedVersion` is the instance version
   * (`If-Match`; 0 = not started yet); 412 when stale. After the commit, a subject whose status
   * was written gets its `afterStatusWrite` (products: cached list totals).
   */
  async transition(
    orgId: string,
    actor: WorkflowActor,
    context: AuditContext,
    entityType: string,
    entityId: string,
    input: { action: string; comment?: string },
    expectedVersion: ExpectedVersion,
  ): Promise<WorkflowInstanceDto> {
    const result = await this.db.run(orgId, async (manager) => {
      const outcome = await this.apply(
        manager,
        orgId,
        actor,
        context,
        entityType,
        entityId,
        input,
        expectedVersion,
        false,
      );
      const loaded = await this.load(manager, orgId, entityType, entityId, false);
      const view = await this.describe(manager, orgId, actor, entityType, entityId, loaded);
      return { view, statusWritten: outcome.statusWritten ?? false };
    });
    const subject = this.subjects.get(entityType);
    if (result.statusWritten && subject?.afterStatusWrite) await subject.afterStatusWrite(orgId);
    return result.view;
  }

  /** The dry run of {@link transition} (automation previews): the same checks, nothing written. */
  preview(
    orgId: string,
    actor: WorkflowActor,
    entityType: string,
    entityId: string,
    input: { action: string; comment?: string },
  ): Promise<TransitionOutcome> {
    // Stays on `run`: it goes through `apply`, the transition's own checks, which share-lock the
    // target (and the read path refuses locking reads); nothing is written.
    return this.db.run(orgId, (manager) =>
      this.apply(manager, orgId, actor, null, entityType, entityId, input, undefined, true),
    );
  }

  private async apply(
    manager: EntityManager,
    orgId: string,
    actor: WorkflowActor,
    context: AuditContext | null,
    entityType: string,
    entityId: string,
    input: { action: string; comment?: string },
    expectedVersion: ExpectedVersion,
    dryRun: boolean,
  ): Promise<TransitionOutcome> {
    await this.targets.assertAccessible(manager, orgId, actor.permissions, entityType, entityId);
    const loaded = await this.load(manager, orgId, entityType, entityId, !dryRun);
    assertVersionMatches(expectedVersion, loaded.instance?.version ?? 0);
    const { state, states, transitions } = loaded;
    const transition = transitions.find(
      (t) => t.from_state_id === state.id && t.action === input.action,
    );
    if (!transition) {
      if (transitions.some((t) => t.action === input.action))
        throw WorkflowsErrors.transition_not_available(input.action, state.code);
      throw WorkflowsErrors.unknown_action(input.action);
    }
    const roles = await this.rolesOf(manager, orgId, actor);
    if (!this.roleAllows(transition, roles))
      throw WorkflowsErrors.transition_not_allowed(input.action);
    const comment = input.comment ?? null;
    if (transition.require_comment && !comment)
      throw WorkflowsErrors.comment_required(input.action);
    if (
      !transition.allow_self_approval &&
      (await this.isSelf(manager, orgId, actor, loaded, entityType, entityId))
    )
      throw WorkflowsErrors.self_approval_not_allowed(input.action);
    if (!(await this.conditionHolds(manager, orgId, actor, entityType, entityId, transition)))
      throw WorkflowsErrors.transition_condition_not_met(input.action);
    const to = states.find((s) => s.id === transition.to_state_id)!;
    if (transition.min_approvals > 1 && !actor.userId) throw userRequiredError();
    if (dryRun) {
      return { fired: true, from: state.code, to: to.code };
    }
    let instance = loaded.instance;
    if (!instance) {
      const started = await this.repository.insertInstance(manager, orgId, {
        workflowId: loaded.workflow.id,
        workflowRevision: loaded.workflow.revision,
        entityType,
        entityId,
        stateId: state.id,
        startedBy: actor.userId,
      });
      // Someone else started it meanwhile: what this caller saw is stale.
      if (!started) throw new PreconditionFailedError();
      instance = (await this.repository.findInstance(manager, orgId, entityType, entityId, {
        forUpdate: true,
      }))!;
    }
    if (transition.min_approvals > 1) {
      const recorded = await this.repository.insertApproval(manager, orgId, {
        instanceId: instance.id,
        transitionId: transition.id,
        stateEntry: instance.state_entry,
        approverUserId: actor.userId!,
        comment,
      });
      if (!recorded) throw WorkflowsErrors.already_approved(input.action);
      const approvals = (
        await this.repository.approvers(manager, orgId, instance.id, instance.state_entry)
      ).filter((a) => a.transition_id === transition.id).length;
      if (approvals < transition.min_approvals) {
        await this.repository.updateInstance(manager, orgId, instance.id, instance.version, null);
        await this.audit.record(manager, {
          organizationId: orgId,
          action: 'approve',
          entityType: 'workflow_instance',
          entityId: instance.id,
          changes: {
            action: input.action,
            state: state.code,
            approvals,
            minApprovals: transition.min_approvals,
            entityType,
            entityId,
          },
          context: context!,
          event: {
            data: { workflowId: loaded.workflow.id, action: input.action, entityType, entityId },
          },
        });
        return { fired: false, from: state.code, to: to.code };
      }
    }
    await this.repository.updateInstance(manager, orgId, instance.id, instance.version, to.id);
    await this.repository.insertHistory(manager, orgId, {
      instanceId: instance.id,
      action: input.action,
      fromCode: state.code,
      toCode: to.code,
      actorUserId: context!.actorUserId,
      actorApiKeyId: context!.actorApiKeyId,
      comment,
    });
    const subject = this.subjects.get(entityType);
    let statusWritten = false;
    if (subject?.writeStatus && state.code !== to.code)
      statusWritten = await this.guard.exemptDuring(manager, () =>
        subject.writeStatus!(manager, orgId, entityId, to.code, context!),
      );
    await this.audit.record(manager, {
      organizationId: orgId,
      action: 'transition',
      entityType: 'workflow_instance',
      entityId: instance.id,
      changes: {
        action: input.action,
        status: { from: state.code, to: to.code },
        entityType,
        entityId,
        ...(comment ? { comment } : {}),
      },
      context: context!,
      event: {
        type: 'workflow.transitioned',
        data: {
          workflowId: loaded.workflow.id,
          from: state.code,
          to: to.code,
          action: input.action,
          entityType,
          entityId,
          // The governed record, as comments name theirs: automation's trigger reads it.
          target: { entityType, entityId },
        },
      },
    });
    return { fired: true, from: state.code, to: to.code, statusWritten };
  }

  /** The caller's approval inbox (records of types they may read), paged. */
  pending(
    orgId: string,
    actor: WorkflowActor,
    query: ListQuery<never, never>,
  ): Promise<Page<PendingWorkflowActionDto>> {
    return this.db.read(orgId, async (manager) => {
      const types = this.subjects
        .types()
        .filter(
          (type) =>
            this.targets.has(type) &&
            this.targets.allows(this.targets.get(type), actor.permissions),
        );
      const roles = await this.rolesOf(manager, orgId, actor);
      if (!actor.userId || roles.length === 0 || types.length === 0) return toPage([], 0, query);
      const { rows, total } = await this.repository.pending(
        manager,
        orgId,
        actor.userId,
        roles,
        types,
        query,
      );
      return toPage(
        rows.map((r) => ({
          instanceId: r.instance_id,
          entityType: r.entity_type,
          entityId: r.entity_id,
          workflowId: r.workflow_id,
          state: r.state_code,
          action: r.action,
          minApprovals: r.min_approvals,
          approvals: r.approvals,
          startedAt: iso(r.started_at)!,
        })),
        total,
        query,
      );
    });
  }

  private async load(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
    forUpdate: boolean,
  ): Promise<Loaded> {
    const instance = await this.repository.findInstance(manager, orgId, entityType, entityId, {
      forUpdate,
    });
    let workflow: Pick<WorkflowRow, 'id' | 'revision'>;
    if (instance) {
      workflow = { id: instance.workflow_id, revision: instance.workflow_revision };
    } else {
      const active = await this.repository.activeWorkflow(manager, orgId, entityType);
      if (!active) throw new NotFoundError('Workflow instance');
      workflow = active;
    }
    const states = await this.repository.states(manager, orgId, [workflow.id]);
    const transitions = await this.repository.transitions(manager, orgId, [workflow.id]);
    const state = instance
      ? states.find((s) => s.id === instance.state_id)!
      : states.find((s) => s.is_initial)!;
    return { workflow, instance, states, transitions, state };
  }

  private async describe(
    manager: EntityManager,
    orgId: string,
    actor: WorkflowActor,
    entityType: string,
    entityId: string,
    loaded: Loaded,
  ): Promise<WorkflowInstanceDto> {
    const { instance, state, states, transitions } = loaded;
    const roles = await this.rolesOf(manager, orgId, actor);
    const approvals = instance
      ? await this.repository.approvers(manager, orgId, instance.id, instance.state_entry)
      : [];
    const history = instance ? await this.repository.history(manager, orgId, instance.id) : [];
    const self = transitions.some((t) => t.from_state_id === state.id && !t.allow_self_approval)
      ? await this.isSelf(manager, orgId, actor, loaded, entityType, entityId)
      : false;
    const actions: WorkflowActionDto[] = [];
    for (const t of transitions) {
      if (t.from_state_id !== state.id || !this.roleAllows(t, roles)) continue;
      if (!t.allow_self_approval && self) continue;
      if (!(await this.conditionHolds(manager, orgId, actor, entityType, entityId, t))) continue;
      const mine = approvals.filter((a) => a.transition_id === t.id);
      const approvedByYou = mine.some((a) => a.approver_user_id === actor.userId);
      actions.push({
        action: t.action,
        to: states.find((s) => s.id === t.to_state_id)!.code,
        requireComment: t.require_comment,
        minApprovals: t.min_approvals,
        approvals: mine.length,
        approvedByYou,
        needsMoreApprovals: mine.length + 1 < t.min_approvals,
      });
    }
    return {
      entityType,
      entityId,
      instanceId: instance?.id ?? null,
      workflowId: loaded.workflow.id,
      workflowRevision: loaded.workflow.revision,
      state: state.code,
      isFinal: state.is_final,
      editable: roles.some((role) => state.edit_role_ids.includes(role)),
      startedBy: instance?.started_by ?? null,
      startedAt: iso(instance?.started_at ?? null),
      history: history.map((h) => ({
        action: h.action,
        from: h.from_code,
        to: h.to_code,
        actorUserId: h.actor_user_id,
        actorApiKeyId: h.actor_api_key_id,
        comment: h.comment,
        at: iso(h.at)!,
      })),
      actions,
      version: instance?.version ?? 0,
    };
  }

  private rolesOf(manager: EntityManager, orgId: string, actor: WorkflowActor): Promise<string[]> {
    if (actor.userId) return this.repository.userRoleIds(manager, orgId, actor.userId);
    if (actor.apiKeyId) return this.repository.apiKeyRoleIds(manager, orgId, actor.apiKeyId);
    return Promise.resolve([]);
  }

  /** Empty `allowedRoleIds`: anyone who may read the record. */
  private roleAllows(transition: TransitionRow, roles: string[]): boolean {
    return (
      transition.allowed_role_ids.length === 0 ||
      roles.some((r) => transition.allowed_role_ids.includes(r))
    );
  }

  /** "Self": the actor created the record (its `create` audit row) or started its instance. */
  private async isSelf(
    manager: EntityManager,
    orgId: string,
    actor: WorkflowActor,
    loaded: Loaded,
    entityType: string,
    entityId: string,
  ): Promise<boolean> {
    // An API key acts for the user who created it: approving through one's own key is self.
    const self =
      actor.userId ??
      (actor.apiKeyId ? await this.repository.apiKeyCreator(manager, orgId, actor.apiKeyId) : null);
    if (!self) return false;
    if (loaded.instance ? loaded.instance.started_by === self : false) return true;
    const subject = this.subjects.get(entityType);
    const creator = subject?.createdBy
      ? await subject.createdBy(manager, orgId, entityId)
      : await this.repository.recordCreator(manager, orgId, entityType, entityId);
    return creator === self;
  }

  private async conditionHolds(
    manager: EntityManager,
    orgId: string,
    actor: WorkflowActor,
    entityType: string,
    entityId: string,
    transition: TransitionRow,
  ): Promise<boolean> {
    if (transition.condition === null || transition.condition === undefined) return true;
    const subject = this.subjects.get(entityType);
    if (!subject) return false;
    try {
      const compiled = compileListFilter(subject.list, transition.condition, {
        orgId,
        userId: actor.userId,
        now: this.clock.now(),
        timezone: 'UTC',
      });
      return await this.repository.conditionHolds(
        manager,
        orgId,
        subject.table,
        entityId,
        compiled,
      );
    } catch (error) {
      // A condition that no longer compiles (a field left the list) is never met.
      if (error instanceof InvalidFilterError) return false;
      throw error;
    }
  }
}
