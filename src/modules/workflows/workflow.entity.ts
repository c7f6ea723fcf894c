import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { BaseEntity } from '../../core/database';

export const WORKFLOW_STATUSES = ['draft', 'active', 'inactive'] as const;
/** draft: editable; active: the one definition new records of its type start on; inactive: retired. */
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/**
 * A workflow definition of one entity type (SPEC-P3 §7). `revision` numbers the definitions of an
 * (organization, entity type); at most one is active (`uq_workflows_active`, partial unique index).
 */
@Entity({ name: 'workflows' })
@Index('uq_workflows_revision', ['organizationId', 'entityType', 'revision'], { unique: true })
@Index('uq_workflows_active', { synchronize: false })
@Check('ck_workflows_status', `"status" IN ('draft', 'active', 'inactive')`)
@Check('ck_workflows_revision', `"revision" >= 1`)
export class WorkflowEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 50 }) entityType: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'integer' }) revision: number;
  @Column({ type: 'varchar', length: 10, default: 'draft' }) status: WorkflowStatus;
  @Column({ type: 'timestamptz', nullable: true }) activatedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
}

/** One state of a workflow: a status code; `editRoleIds` = who may edit the record in it. */
@Entity({ name: 'workflow_states' })
@Index('uq_workflow_states_code', ['workflowId', 'code'], { unique: true })
@Check('ck_workflow_states_code', `"code" ~ '^[a-z][a-z0-9_]{0,49}$'`)
export class WorkflowStateEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) workflowId: string;
  @Column({ type: 'varchar', length: 50 }) code: string;
  @Column({ type: 'boolean', default: false }) isInitial: boolean;
  @Column({ type: 'boolean', default: false }) isFinal: boolean;
  @Column({ type: 'uuid', array: true, default: () => "'{}'" }) editRoleIds: string[];
  @Column({ type: 'integer', default: 0 }) position: number;
}

/** One transition (action from → to) of a workflow, with its rules. */
@Entity({ name: 'workflow_transitions' })
@Index('uq_workflow_transitions_action', ['workflowId', 'fromStateId', 'action'], { unique: true })
@Check('ck_workflow_transitions_action', `"action" ~ '^[a-z][a-z0-9_]{0,49}$'`)
@Check('ck_workflow_transitions_min_approvals', `"min_approvals" BETWEEN 1 AND 10`)
export class WorkflowTransitionEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) workflowId: string;
  @Column({ type: 'varchar', length: 50 }) action: string;
  @Column({ type: 'uuid' }) fromStateId: string;
  @Column({ type: 'uuid' }) toStateId: string;
  @Column({ type: 'uuid', array: true, default: () => "'{}'" }) allowedRoleIds: string[];
  @Column({ type: 'jsonb', nullable: true }) condition: unknown;
  @Column({ type: 'boolean', default: false }) requireComment: boolean;
  @Column({ type: 'boolean', default: true }) allowSelfApproval: boolean;
  @Column({ type: 'integer', default: 1 }) minApprovals: number;
  @Column({ type: 'integer', default: 0 }) position: number;
}

/** The workflow state of one record (one per organization, entity type and id). */
@Entity({ name: 'workflow_instances' })
@Index('uq_workflow_instances_target', ['organizationId', 'entityType', 'entityId'], {
  unique: true,
})
@Index('ix_workflow_instances_state', ['organizationId', 'stateId'])
export class WorkflowInstanceEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) workflowId: string;
  @Column({ type: 'integer' }) workflowRevision: number;
  @Column({ type: 'varchar', length: 50 }) entityType: string;
  @Column({ type: 'uuid' }) entityId: string;
  @Column({ type: 'uuid' }) stateId: string;
  @Column({ type: 'integer', default: 1 }) stateEntry: number;
  @Column({ type: 'uuid', nullable: true }) startedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) startedAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @VersionColumn({ default: 1 }) version: number;
}

/** One fired transition (append-only). */
@Entity({ name: 'workflow_history' })
@Index('ix_workflow_history_instance', ['organizationId', 'instanceId', 'at'])
export class WorkflowHistoryEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) instanceId: string;
  @Column({ type: 'varchar', length: 50 }) action: string;
  @Column({ type: 'varchar', length: 50 }) fromCode: string;
  @Column({ type: 'varchar', length: 50 }) toCode: string;
  @Column({ type: 'uuid', nullable: true }) actorUserId: string | null;
  @Column({ type: 'uuid', nullable: true }) actorApiKeyId: string | null;
  @Column({ type: 'text', nullable: true }) comment: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) at: Date;
}

/** One approval of a transition by one user during one entry into its source state. */
@Entity({ name: 'workflow_approvals' })
@Index(
  'uq_workflow_approvals_approver',
  ['instanceId', 'stateEntry', 'transitionId', 'approverUserId'],
  { unique: true },
)
export class WorkflowApprovalEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) instanceId: string;
  @Column({ type: 'uuid' }) transitionId: string;
  @Column({ type: 'integer' }) stateEntry: number;
  @Column({ type: 'uuid' }) approverUserId: string;
  @Column({ type: 'text', nullable: true }) comment: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) at: Date;
}

export const WORKFLOW_ENTITIES = [
  WorkflowEntity,
  WorkflowStateEntity,
  WorkflowTransitionEntity,
  WorkflowInstanceEntity,
  WorkflowHistoryEntity,
  WorkflowApprovalEntity,
];
