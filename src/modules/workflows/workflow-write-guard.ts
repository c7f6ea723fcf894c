import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LocalCache } from '../../core/cache';
import { DomainEventGuard, DomainEventInput, DomainEvents } from '../domain-events';
import { WorkflowSubjects } from './workflow-subjects';
import { WorkflowsErrors } from './workflows.errors';
import { WorkflowsRepository } from './workflows.repository';

/** LocalCache namespace of "entity types with an active workflow", per organization. */
export const ACTIVE_TYPES_CACHE = 'workflows-active-types';
const ACTIVE_TYPES_TTL_MS = 10_000;

/**
 * `locked_by_workflow` on every write path (SPEC-P3 §7): a {@link DomainEventGuard}, so whatever
 * writes a governed record — PATCH, DELETE, `PUT /taggings`, custom field values, import batches —
 * is refused (409, the transaction rolls back) when the record's state does not list one of the
 * actor's roles in `editRoleIds`. The record's state is its instance's, else the initial state of
 * the active workflow of its type. Creating a record (`<type>.created`) is not editing it. Writes
 * without an actor (system jobs) pass. The transition's own status write passes (`exempt`).
 *
 * Cost: only events of registered subjects are looked at, and "which types have an active
 * workflow" is answered from the process's {@link LocalCache} (invalidated across processes on
 * activate): an entity type without an active workflow costs no round trip.
 */
@Injectable()
export class WorkflowWriteGuard implements DomainEventGuard, OnModuleInit {
  private readonly exempt = new WeakSet<object>();

  constructor(
    private readonly events: DomainEvents,
    private readonly cache: LocalCache,
    private readonly repository: WorkflowsRepository,
    private readonly subjects: WorkflowSubjects,
  ) {}

  onModuleInit(): void {
    this.events.addGuard(this);
  }

  /** Runs `write` (a transition's own status write) with the guard off for `manager`'s transaction. */
  async exemptDuring<T>(manager: EntityManager, write: () => Promise<T>): Promise<T> {
    const runner = manager.queryRunner as object;
    this.exempt.add(runner);
    try {
      return await write();
    } finally {
      this.exempt.delete(runner);
    }
  }

  /** Drops the cached active types everywhere (after an activation committed). */
  invalidate(): Promise<void> {
    return this.cache.invalidate(ACTIVE_TYPES_CACHE);
  }

  /** The entity types of `orgId` with an active workflow (memory, else one query). */
  activeTypes(manager: EntityManager, orgId: string): Promise<string[]> {
    return this.cache.getOrLoad(ACTIVE_TYPES_CACHE, orgId, ACTIVE_TYPES_TTL_MS, () =>
      this.repository.activeTypes(manager, orgId),
    );
  }

  async check(manager: EntityManager, events: readonly DomainEventInput[]): Promise<void> {
    if (manager.queryRunner && this.exempt.has(manager.queryRunner)) return;
    for (const event of events) {
      const orgId = event.organizationId;
      const subject = this.subjects.get(event.entityType);
      if (!orgId || !event.entityId || !subject) continue;
      if (event.type === `${event.entityType}.created`) continue;
      if (!event.actorUserId && !event.actorApiKeyId) continue;
      if (!(await this.activeTypes(manager, orgId)).includes(event.entityType)) continue;
      const state = await this.repository.editState(
        manager,
        orgId,
        event.entityType,
        event.entityId,
      );
      if (!state) continue;
      const roles = event.actorUserId
        ? await this.repository.userRoleIds(manager, orgId, event.actorUserId)
        : await this.repository.apiKeyRoleIds(manager, orgId, event.actorApiKeyId!);
      if (!roles.some((role) => state.edit_role_ids.includes(role)))
        throw WorkflowsErrors.locked_by_workflow(event.entityType, state.code);
      // A subject whose status the workflow writes: the status moves by workflow actions only
      // (PATCH status, the code lifecycle or update_record would skip the approvals).
      if (
        subject.writeStatus &&
        (event.type === `${event.entityType}.transitioned` ||
          (event.changedFields ?? []).includes('status'))
      )
        throw WorkflowsErrors.status_governed_by_workflow(event.entityType, state.code);
    }
  }
}
