import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { iso } from '../../core/database';
import { InvalidFilterError } from '../../core/filters';
import {
  assertVersionMatches,
  compileListFilter,
  defineList,
  ExpectedVersion,
  FieldIssue,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type {
  CreateWorkflowDto,
  UpdateWorkflowDto,
  WorkflowDto,
  WorkflowStateInputDto,
  WorkflowTransitionInputDto,
} from './dto/workflow.dto';
import { graphProblems } from './workflow-graph';
import { WORKFLOW_STATUSES } from './workflow.entity';
import { WorkflowSubjects } from './workflow-subjects';
import { WorkflowWriteGuard } from './workflow-write-guard';
import { InvalidWorkflowError, WorkflowsErrors } from './workflows.errors';
import {
  StateRow,
  TransitionRow,
  WorkflowFilter,
  WorkflowRow,
  WorkflowsRepository,
  WorkflowSort,
} from './workflows.repository';

/** `GET /workflows`: filters `entityType`, `status`; `?filter=` on the fields below. */
export const WORKFLOW_LIST: ListDefinition<WorkflowSort, WorkflowFilter> = defineList({
  resource: 'workflows',
  sortable: ['name', 'revision', 'createdAt', 'updatedAt'],
  defaultSort: '-createdAt',
  fields: {
    id: { type: 'uuid', column: 'workflows.id' },
    entityType: { type: 'string', column: 'workflows.entity_type' },
    name: { type: 'string', column: 'workflows.name' },
    revision: { type: 'int', column: 'workflows.revision' },
    status: { type: { enum: WORKFLOW_STATUSES }, column: 'workflows.status' },
    createdAt: { type: 'datetime', column: 'workflows.created_at' },
    updatedAt: { type: 'datetime', column: 'workflows.updated_at' },
  },
  filters: { entityType: 'string', status: { enum: WORKFLOW_STATUSES } },
});

/** A definition as the rules read it: states and transitions by code, in body order. */
interface Definition {
  states: Required<WorkflowStateInputDto>[];
  transitions: (Required<Omit<WorkflowTransitionInputDto, 'condition'>> & {
    condition: Record<string, unknown> | null;
  })[];
}

/** Maps a workflow and its graph rows to the response. */
export function toWorkflowDto(
  row: WorkflowRow,
  states: StateRow[],
  transitions: TransitionRow[],
): WorkflowDto {
  const codeOf = new Map(states.map((s) => [s.id, s.code]));
  return {
    id: row.id,
    entityType: row.entity_type,
    name: row.name,
    revision: row.revision,
    status: row.status,
    activatedAt: iso(row.activated_at),
    states: states.map((s) => ({
      id: s.id,
      code: s.code,
      isInitial: s.is_initial,
      isFinal: s.is_final,
      editRoleIds: s.edit_role_ids,
    })),
    transitions: transitions.map((t) => ({
      id: t.id,
      action: t.action,
      from: codeOf.get(t.from_state_id)!,
      to: codeOf.get(t.to_state_id)!,
      allowedRoleIds: t.allowed_role_ids,
      condition: (t.condition as Record<string, unknown> | null) ?? null,
      requireComment: t.require_comment,
      allowSelfApproval: t.allow_self_approval,
      minApprovals: t.min_approvals,
    })),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    version: row.version,
  };
}

const withDefaults = (dto: {
  states: WorkflowStateInputDto[];
  transitions: WorkflowTransitionInputDto[];
}): Definition => ({
  states: dto.states.map((s) => ({
    code: s.code,
    isInitial: s.isInitial ?? false,
    isFinal: s.isFinal ?? false,
    editRoleIds: [...new Set((s.editRoleIds ?? []).map((id) => id.toLowerCase()))],
  })),
  transitions: dto.transitions.map((t) => ({
    action: t.action,
    from: t.from,
    to: t.to,
    allowedRoleIds: [...new Set((t.allowedRoleIds ?? []).map((id) => id.toLowerCase()))],
    condition: t.condition ?? null,
    requireComment: t.requireComment ?? false,
    allowSelfApproval: t.allowSelfApproval ?? true,
    minApprovals: t.minApprovals ?? 1,
  })),
});

/**
 * Workflow definitions (SPEC-P3 §7): CRUD of drafts, revisions, activation. A definition changes
 * only while `draft` (409 `workflow_not_draft`); changing an active one means a new revision
 * (`POST /workflows/{id}/revisions`, a draft copy) activated in its place. Activation validates
 * the graph and its references (422 `invalid_workflow`, one error per problem with its pointer)
 * and deactivates the previous active revision of the type, serialised per (organization, type)
 * by an advisory lock; records in flight keep the revision they started on. Every write is
 * audited (`workflow.created|updated|deleted|activated|deactivated`).
 */
@Injectable()
export class WorkflowsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: WorkflowsRepository,
    private readonly audit: AuditService,
    private readonly subjects: WorkflowSubjects,
    private readonly guard: WorkflowWriteGuard,
    private readonly clock: Clock,
  ) {}

  list(orgId: string, query: ListQuery<WorkflowSort, WorkflowFilter>): Promise<Page<WorkflowDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.page(manager, orgId, query);
      return toPage(await this.withGraphs(manager, orgId, rows), total, query);
    });
  }

  get(orgId: string, id: string): Promise<WorkflowDto> {
    return this.db.read(orgId, (manager) => this.find(manager, orgId, id));
  }

  private async withGraphs(
    manager: EntityManager,
    orgId: string,
    rows: WorkflowRow[],
  ): Promise<WorkflowDto[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const states = await this.repository.states(manager, orgId, ids);
    const transitions = await this.repository.transitions(manager, orgId, ids);
    return rows.map((row) =>
      toWorkflowDto(
        row,
        states.filter((s) => s.workflow_id === row.id),
        transitions.filter((t) => t.workflow_id === row.id),
      ),
    );
  }

  private async find(
    manager: EntityManager,
    orgId: string,
    id: string,
    forUpdate = false,
  ): Promise<WorkflowDto> {
    const row = await this.repository.findWorkflow(manager, orgId, id, { forUpdate });
    if (!row) throw new NotFoundError('Workflow');
    return (await this.withGraphs(manager, orgId, [row]))[0];
  }

  /** Adds a draft (revision = the type's last + 1). 422 `unknown_entity_type`, `invalid_workflow`. */
  create(orgId: string, dto: CreateWorkflowDto, context: AuditContext): Promise<WorkflowDto> {
    const subject = this.subjects.get(dto.entityType);
    if (!subject) throw WorkflowsErrors.unknown_entity_type(dto.entityType);
    const definition = withDefaults(dto);
    this.assertShape(orgId, dto.entityType, definition, context.actorUserId);
    return this.db.run(orgId, async (manager) => {
      await this.repository.lockType(manager, orgId, dto.entityType);
      const id = uuidv7();
      const revision = await this.repository.nextRevision(manager, orgId, dto.entityType);
      await this.repository.insertWorkflow(manager, orgId, {
        id,
        entityType: dto.entityType,
        name: dto.name,
        revision,
        createdBy: context.actorUserId,
      });
      await this.writeGraph(manager, orgId, id, definition);
      const created = await this.find(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'workflow',
        entityId: id,
        changes: { entityType: dto.entityType, name: dto.name, revision },
        context,
      });
      return created;
    });
  }

  /** Changes a draft (`If-Match`); states and transitions, when sent, replace the graph. */
  update(
    orgId: string,
    id: string,
    dto: UpdateWorkflowDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<WorkflowDto> {
    return this.db.run(orgId, async (manager) =>
      this.audit.updateGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id, true),
        fields: ['name', 'states', 'transitions'],
        write: async (before) => {
          if (before.status !== 'draft') throw WorkflowsErrors.workflow_not_draft(before.status);
          if (dto.states || dto.transitions) {
            const definition = withDefaults({
              states: dto.states ?? before.states,
              transitions: dto.transitions ?? before.transitions,
            });
            this.assertShape(orgId, before.entityType, definition, context.actorUserId);
            await this.writeGraph(manager, orgId, id, definition);
          }
          if (
            !(await this.repository.touchWorkflow(manager, orgId, id, before.version, {
              name: dto.name,
            }))
          )
            throw new Error('workflow changed under its row lock');
          return this.find(manager, orgId, id);
        },
        entry: { organizationId: orgId, entityType: 'workflow', entityId: id, context },
      }),
    );
  }

  /** Deletes a definition no record runs on and that is not active (else 409). */
  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id, true),
        remove: async (before) => {
          if (before.status === 'active') throw WorkflowsErrors.workflow_not_draft(before.status);
          if (await this.repository.hasInstances(manager, orgId, id))
            throw WorkflowsErrors.workflow_in_use();
          await this.repository.deleteWorkflow(manager, orgId, id);
        },
        entry: { organizationId: orgId, entityType: 'workflow', entityId: id, context },
        changes: (before) => ({
          entityType: before.entityType,
          name: before.name,
          revision: before.revision,
        }),
      });
    });
  }

  /** A new draft copying this definition (the way to change an active or inactive one). */
  createRevision(orgId: string, id: string, context: AuditContext): Promise<WorkflowDto> {
    return this.db.run(orgId, async (manager) => {
      const source = await this.find(manager, orgId, id);
      await this.repository.lockType(manager, orgId, source.entityType);
      const copyId = uuidv7();
      const revision = await this.repository.nextRevision(manager, orgId, source.entityType);
      await this.repository.insertWorkflow(manager, orgId, {
        id: copyId,
        entityType: source.entityType,
        name: source.name,
        revision,
        createdBy: context.actorUserId,
      });
      await this.writeGraph(manager, orgId, copyId, withDefaults(source));
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'workflow',
        entityId: copyId,
        changes: { entityType: source.entityType, name: source.name, revision, copiedFrom: id },
        context,
      });
      return this.find(manager, orgId, copyId);
    });
  }

  /**
   * Makes this definition the active one of its type (`If-Match`): validates the graph (one
   * initial state, all reachable, no exit from a final state) and its references (status codes
   * active for the type, roles of the organization), then deactivates the previous active one.
   * Already active: answered unchanged. 422 `invalid_workflow` lists every problem.
   */
  async activate(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<WorkflowDto> {
    const result = await this.db.run(orgId, async (manager) => {
      const peek = await this.find(manager, orgId, id);
      await this.repository.lockType(manager, orgId, peek.entityType);
      const workflow = await this.find(manager, orgId, id, true);
      assertVersionMatches(expectedVersion, workflow.version);
      if (workflow.status === 'active') return workflow;
      await this.assertActivatable(manager, orgId, workflow);
      const previous = await this.repository.activeWorkflow(manager, orgId, workflow.entityType);
      if (previous) {
        await this.repository.touchWorkflow(manager, orgId, previous.id, previous.version, {
          status: 'inactive',
        });
        await this.audit.record(manager, {
          organizationId: orgId,
          action: 'deactivate',
          entityType: 'workflow',
          entityId: previous.id,
          changes: { status: { from: 'active', to: 'inactive' }, replacedBy: id },
          context,
        });
      }
      await this.repository.touchWorkflow(manager, orgId, id, workflow.version, {
        status: 'active',
        activatedAt: this.clock.now(),
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'activate',
        entityType: 'workflow',
        entityId: id,
        changes: {
          status: { from: workflow.status, to: 'active' },
          entityType: workflow.entityType,
          revision: workflow.revision,
          ...(previous ? { replaces: previous.id } : {}),
        },
        context,
      });
      return this.find(manager, orgId, id);
    });
    await this.guard.invalidate();
    return result;
  }

  private async assertActivatable(
    manager: EntityManager,
    orgId: string,
    workflow: WorkflowDto,
  ): Promise<void> {
    const issues = graphProblems(workflow);
    const statuses = await this.repository.existingStatusCodes(
      manager,
      orgId,
      workflow.entityType,
      workflow.states.map((s) => s.code),
    );
    workflow.states.forEach((state, index) => {
      if (!statuses.has(state.code))
        issues.push({
          pointer: `/states/${index}/code`,
          detail: `${state.code} is not an active status of ${workflow.entityType} records`,
        });
    });
    const roleIds = [
      ...workflow.states.flatMap((s) => s.editRoleIds),
      ...workflow.transitions.flatMap((t) => t.allowedRoleIds),
    ];
    const roles = await this.repository.existingRoleIds(manager, orgId, [...new Set(roleIds)]);
    workflow.states.forEach((state, index) =>
      state.editRoleIds.forEach((role, at) => {
        if (!roles.has(role))
          issues.push({
            pointer: `/states/${index}/editRoleIds/${at}`,
            detail: `No role ${role} in this organization`,
          });
      }),
    );
    workflow.transitions.forEach((transition, index) =>
      transition.allowedRoleIds.forEach((role, at) => {
        if (!roles.has(role))
          issues.push({
            pointer: `/transitions/${index}/allowedRoleIds/${at}`,
            detail: `No role ${role} in this organization`,
          });
      }),
    );
    if (issues.length) throw new InvalidWorkflowError(issues);
  }

  /**
   * The rules of a definition the schema cannot state (422 `invalid_workflow`): state codes
   * unique, transitions naming states of the definition, one action per source state, conditions
   * that compile against the entity type's list (`compileListFilter`; `cf.` fields are not
   * offered to conditions).
   */
  private assertShape(
    orgId: string,
    entityType: string,
    definition: Definition,
    userId: string | null,
  ): void {
    const issues: FieldIssue[] = [];
    const codes = new Set<string>();
    definition.states.forEach((state, index) => {
      if (codes.has(state.code))
        issues.push({
          pointer: `/states/${index}/code`,
          detail: `State ${state.code} is listed twice`,
        });
      codes.add(state.code);
    });
    const seen = new Set<string>();
    const subject = this.subjects.get(entityType)!;
    definition.transitions.forEach((transition, index) => {
      for (const end of ['from', 'to'] as const)
        if (!codes.has(transition[end]))
          issues.push({
            pointer: `/transitions/${index}/${end}`,
            detail: `${transition[end]} is not a state of this workflow`,
          });
      const key = `${transition.from}\u0000${transition.action}`;
      if (seen.has(key))
        issues.push({
          pointer: `/transitions/${index}/action`,
          detail: `${transition.action} is defined twice from ${transition.from}`,
        });
      seen.add(key);
      if (transition.condition !== null) {
        try {
          compileListFilter(subject.list, transition.condition, {
            orgId,
            userId,
            now: this.clock.now(),
            timezone: 'UTC',
          });
        } catch (error) {
          if (!(error instanceof InvalidFilterError)) throw error;
          issues.push({
            pointer: `/transitions/${index}/condition`,
            detail: error.detail,
            meta: { path: error.path },
          });
        }
      }
    });
    if (issues.length) throw new InvalidWorkflowError(issues);
  }

  private async writeGraph(
    manager: EntityManager,
    orgId: string,
    workflowId: string,
    definition: Definition,
  ) {
    const states = definition.states.map((s) => ({ id: uuidv7(), ...s }));
    const idOf = new Map(states.map((s) => [s.code, s.id]));
    await this.repository.replaceGraph(
      manager,
      orgId,
      workflowId,
      states,
      definition.transitions.map((t) => ({
        ...t,
        fromStateId: idOf.get(t.from)!,
        toStateId: idOf.get(t.to)!,
      })),
    );
  }
}
