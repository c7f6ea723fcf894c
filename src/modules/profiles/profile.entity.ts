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

/** One weekday's working intervals, `HH:MM` local to `WorkingHours.timeZone`, start < end. */
export interface WorkingInterval {
  start: string;
  end: string;
}

/** The stored `working_hours` value: an IANA time zone and, per weekday, its intervals. */
export interface WorkingHours {
  timeZone: string;
  days: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', WorkingInterval[]>>;
}

/**
 * A person's profile (SPEC-P3 §9): one per account, not tenant-owned (it follows the person into
 * every organization they belong to). Created lazily on the first read or write.
 */
@Entity({ name: 'user_profiles' })
@Check('ck_user_profiles_delegate_not_self', `"delegate_user_id" IS DISTINCT FROM "user_id"`)
export class UserProfileEntity {
  @PrimaryColumn({ type: 'uuid' }) userId: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) jobTitle: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) phone: string | null;
  @Column({ type: 'uuid', nullable: true }) avatarFileId: string | null;
  @Column({ type: 'uuid', nullable: true }) avatarOrganizationId: string | null;
  @Column({ type: 'jsonb', nullable: true }) workingHours: WorkingHours | null;
  @Column({ type: 'timestamptz', nullable: true }) outOfOfficeUntil: Date | null;
  @Column({ type: 'uuid', nullable: true }) delegateUserId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @VersionColumn({ default: 1 }) version: number;
}

/** What one organization keeps about one of its members (SPEC-P3 §9); tenant-owned. */
@Entity({ name: 'member_profiles' })
@Index('uq_member_profiles_user', ['organizationId', 'userId'], { unique: true })
@Index('uq_member_profiles_employee_id', { synchronize: false }) // per org on lower(employee_id)
@Index('ix_member_profiles_manager', ['organizationId', 'managerUserId'])
@Check(
  'ck_member_profiles_employment_dates',
  `"employment_end" IS NULL OR "employment_start" IS NULL OR "employment_end" >= "employment_start"`,
)
@Check('ck_member_profiles_manager_not_self', `"manager_user_id" IS DISTINCT FROM "user_id"`)
export class MemberProfileEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'varchar', length: 50, nullable: true }) employeeId: string | null;
  @Column({ type: 'uuid', nullable: true }) managerUserId: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) department: string | null;
  @Column({ type: 'date', nullable: true }) employmentStart: string | null;
  @Column({ type: 'date', nullable: true }) employmentEnd: string | null;
  @Column({ type: 'varchar', length: 2000, nullable: true }) privateNotes: string | null;
}
