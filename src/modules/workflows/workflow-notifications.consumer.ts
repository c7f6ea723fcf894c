import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TargetRegistry } from '../../core/targets';
import { DomainEvent, DomainEventConsumer, DomainEventConsumers } from '../domain-events';
import { NotificationsService } from '../notifications';
import { WorkflowsRepository } from './workflows.repository';

/**
 * `workflow.action_required` (SPEC-P3 §7): on each committed `workflow.transitioned`, the members
 * holding a role allowed on a role-restricted transition out of the new state are notified (not
 * the actor; `notify` keeps active members only). Runs in the worker's relay transaction;
 * idempotent through a dedupe key per (event, recipient).
 */
@Injectable()
export class WorkflowNotificationsConsumer implements DomainEventConsumer, OnModuleInit {
  readonly name = 'workflow-notifications';

  constructor(
    private readonly consumers: DomainEventConsumers,
    private readonly notifications: NotificationsService,
    private readonly repository: WorkflowsRepository,
    private readonly targets: TargetRegistry,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  async handle(manager: EntityManager, events: readonly DomainEvent[]): Promise<() => void> {
    const pushes: (() => void)[] = [];
    for (const event of events) {
      if (event.type !== 'workflow.transitioned' || !event.organizationId || !event.entityId)
        continue;
      const orgId = event.organizationId;
      const data = event.data as {
        entityType?: string;
        entityId?: string;
        to?: string;
        workflowId?: string;
      };
      if (!data.entityType || !data.entityId || !data.to) continue;
      const next = (
        await this.repository.transitions(manager, orgId, [data.workflowId ?? ''])
      ).filter((t) => t.allowed_role_ids.length > 0);
      const states = await this.repository.states(manager, orgId, [data.workflowId ?? '']);
      const current = states.find((s) => s.code === data.to);
      const roles = [
        ...new Set(
          next.filter((t) => t.from_state_id === current?.id).flatMap((t) => t.allowed_role_ids),
        ),
      ];
      const recipients = await this.repository.usersWithRoles(manager, orgId, roles);
      if (recipients.length === 0) continue;
      const definition = this.targets.has(data.entityType)
        ? this.targets.get(data.entityType)
        : undefined;
      const label = definition ? await definition.label(manager, orgId, data.entityId) : null;
      const result = await this.notifications.notify(manager, {
        organizationId: orgId,
        recipientUserIds: recipients,
        type: 'workflow.action_required',
        actorUserId: event.actorUserId,
        target: { entityType: data.entityType, entityId: data.entityId },
        title: `${label ?? data.entityType} is ${data.to}: your action is needed`,
        actionPath: `/api/v1/workflow-instances/${data.entityType}/${data.entityId}`,
        data: { workflowId: data.workflowId, state: data.to },
        dedupeKey: `workflow.action_required:${event.eventId}`,
      });
      pushes.push(result.afterCommit);
    }
    return () => pushes.forEach((push) => push());
  }
}
