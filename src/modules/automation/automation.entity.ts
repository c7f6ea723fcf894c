import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** What a run can be (SPEC-P3 §8 "Runs"). */
export const AUTOMATION_RUN_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'loop_prevented',
] as const;
export type AutomationRunStatus = (typeof AUTOMATION_RUN_STATUSES)[number];

/**
 * An automation rule of an organization (SPEC-P3 §8): on `trigger` for records of `entityType`,
 * when `condition` (filter grammar) holds for the record, run `actions` in order as
 * `runAsUserId`. Disabled automatically after 10 consecutive failed runs (`disabledReason`).
 */
@Entity({ name: 'automation_rules' })
@Index('ix_automation_rules_entity_type', ['organizationId', 'entityType'])
@Check('ck_automation_rules_delay', `"delay_seconds" BETWEEN 0 AND 86400`)
@Check('ck_automation_rules_name', `length("name") BETWEEN 1 AND 100`)
export class AutomationRuleEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 1000, nullable: true }) description: string | null;
  @Column({ type: 'varchar', length: 50 }) entityType: string;
  @Column({ type: 'jsonb' }) trigger: unknown;
  @Column({ type: 'jsonb', nullable: true }) condition: unknown;
  @Column({ type: 'jsonb' }) actions: unknown;
  @Column({ type: 'uuid' }) runAsUserId: string;
  @Column({ type: 'uuid', nullable: true }) createdByUserId: string | null;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  @Column({ type: 'integer', default: 0 }) delaySeconds: number;
  @Column({ type: 'integer', default: 0 }) consecutiveFailures: number;
  @Column({ type: 'varchar', length: 200, nullable: true }) disabledReason: string | null;
}

/**
 * One firing of a rule (append-only in spirit: only its own status, steps and attempts change).
 * At most one per (rule, event) (`uq_automation_runs_event`; manual runs get a fresh event id).
 */
@Entity({ name: 'automation_runs' })
@Unique('uq_automation_runs_event', ['ruleId', 'eventId'])
@Index('ix_automation_runs_rule', ['organizationId', 'ruleId', 'createdAt'])
@Index('ix_automation_runs_org_created', ['organizationId', 'createdAt'])
@Index('ix_automation_runs_created', ['createdAt'])
@Check(
  'ck_automation_runs_status',
  `"status" IN ('queued', 'running', 'succeeded', 'failed', 'skipped', 'loop_prevented')`,
)
export class AutomationRunEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) ruleId: string;
  @Column({ type: 'integer' }) ruleVersion: number;
  @Column({ type: 'uuid' }) eventId: string;
  @Column({ type: 'jsonb' }) trigger: unknown;
  @Column({ type: 'varchar', length: 50, nullable: true }) entityType: string | null;
  @Column({ type: 'uuid', nullable: true }) entityId: string | null;
  @Column({ type: 'varchar', length: 20 }) status: AutomationRunStatus;
  @Column({ type: 'jsonb', default: () => "'[]'" }) steps: unknown;
  @Column({ type: 'integer', default: 0 }) causationDepth: number;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ type: 'jsonb', nullable: true }) error: unknown;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
