import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** A recurring task of one organization: a cron expression (UTC) or a fixed interval. */
@Entity({ name: 'schedules' })
@Index('ix_schedules_due', { synchronize: false }) // partial (enabled): in the migration
@Index('ix_schedules_organization_id', ['organizationId', 'name'])
@Check('ck_schedules_one_rule', `("cron" IS NULL) <> ("interval_seconds" IS NULL)`)
@Check('ck_schedules_interval', `"interval_seconds" > 0`)
export class ScheduleEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 100 }) taskName: string;
  @Column({ type: 'jsonb', default: {} }) payload: Record<string, unknown>;
  @Column({ type: 'varchar', length: 100, nullable: true }) cron: string | null;
  @Column({ type: 'integer', nullable: true }) intervalSeconds: number | null;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  @Column({ type: 'timestamptz', nullable: true }) lastRunAt: Date | null;
  @Column({ type: 'text', nullable: true }) lastTaskId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) nextRunAt: Date | null;
}
