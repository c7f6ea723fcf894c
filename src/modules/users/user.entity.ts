import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** A person who can sign in. Not tenant-owned: one user can belong to many organizations. */
@Entity({ name: 'users' })
@Index('uq_users_email', { synchronize: false }) // unique on lower(email): defined in the migration
export class UserEntity extends BaseEntity {
  @Column({ type: 'text' }) email: string;
  @Column({ type: 'text' }) passwordHash: string;
  @Column({ type: 'text', default: '' }) fullName: string;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  @Column({ type: 'boolean', default: false }) isSuperuser: boolean;
  /** Preferred language; null leaves it to Accept-Language and the organization's default. */
  @Column({ type: 'text', nullable: true }) language: string | null;
  @Column({ type: 'text', default: 'UTC' }) timezone: string;
  @Column({ type: 'integer', default: 0 }) failedLoginCount: number;
  @Column({ type: 'timestamptz', nullable: true }) lockedUntil: Date | null;
  @Column({ type: 'text', nullable: true }) totpSecret: string | null;
  @Column({ type: 'boolean', default: false }) totpEnabled: boolean;
  @Column({ type: 'timestamptz', nullable: true }) passwordChangedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastLoginAt: Date | null;
}
