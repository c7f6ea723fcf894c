import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

/**
 * A scheduled activity on a registered target (Odoo's mail.activity, SPEC-P3 §3). Its state
 * (overdue, today, planned, done) is derived from `dueDate` and `doneAt`, never stored;
 * `overdueNotifiedOn` is the day the daily job last published `activity.overdue` for it.
 */
@Entity({ name: 'activities' })
@Index('ix_activities_target', ['organizationId', 'entityType', 'entityId'])
@Index('ix_activities_assignee', ['organizationId', 'assigneeUserId', 'dueDate'])
@Check('ck_activities_type', `"type" IN ('todo', 'call', 'meeting', 'email', 'deadline')`)
export class ActivityEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 50 }) entityType: string;
  @Column({ type: 'uuid' }) entityId: string;
  @Column({ type: 'varchar', length: 16 }) type: string;
  @Column({ type: 'varchar', length: 200 }) summary: string;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ type: 'date' }) dueDate: string;
  @Column({ type: 'uuid', nullable: true }) assigneeUserId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) doneAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) doneBy: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ type: 'date', nullable: true }) overdueNotifiedOn: string | null;
}
