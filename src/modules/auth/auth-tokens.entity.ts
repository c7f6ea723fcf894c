import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One issued refresh token (`id` = its `jti`). Rotation marks it used and issues the next in the
 * same family; presenting a used one revokes the whole family (token theft detection).
 */
@Entity({ name: 'refresh_tokens' })
@Index('ix_refresh_tokens_family_id', ['familyId'])
@Index('ix_refresh_tokens_user_id', ['userId'])
export class RefreshTokenEntity {
  @PrimaryColumn({ type: 'uuid' }) id: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'uuid' }) familyId: string;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  /** The client that signed in or refreshed with it (sessions list). */
  @Column({ type: 'text', nullable: true }) ip: string | null;
  @Column({ type: 'text', nullable: true }) userAgent: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/**
 * One sign-in attempt against a person's account (`GET /auth/me/login-history`): success, failure
 * (reason: wrong_password, wrong_totp, inactive, locked) or the failure that locked the account.
 * Attempts on unknown emails belong to nobody and are only audited.
 */
@Entity({ name: 'login_events' })
@Index('ix_login_events_user_id', ['userId', 'id'])
@Check('ck_login_events_outcome', `"outcome" IN ('success', 'failure', 'lockout')`)
export class LoginEventEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'varchar', length: 16 }) outcome: 'success' | 'failure' | 'lockout';
  @Column({ type: 'varchar', length: 64, nullable: true }) reason: string | null;
  @Column({ type: 'text', nullable: true }) ip: string | null;
  @Column({ type: 'text', nullable: true }) userAgent: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/**
 * A pending self-service sign-up: what the person asked for, until they prove the mailbox is
 * theirs. Only the SHA-256 of the e-mailed token is stored; single use, 24 h.
 */
@Entity({ name: 'signup_requests' })
@Index('uq_signup_requests_token_hash', ['tokenHash'], { unique: true })
export class SignupRequestEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ type: 'varchar', length: 200 }) fullName: string;
  @Column({ type: 'varchar', length: 200 }) organizationName: string;
  @Column({ type: 'varchar', length: 50 }) organizationCode: string;
  @Column({ type: 'text' }) passwordHash: string;
  @Column({ type: 'varchar', length: 8, default: 'en' }) language: string;
  @Column({ type: 'text' }) tokenHash: string;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/** Single-use, 1 h; only the SHA-256 of the emailed token is stored. */
@Entity({ name: 'password_reset_tokens' })
@Index('uq_password_reset_tokens_token_hash', ['tokenHash'], { unique: true })
export class PasswordResetTokenEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'text' }) tokenHash: string;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/** TOTP recovery codes, hashed, each usable once. */
@Entity({ name: 'recovery_codes' })
@Index('ix_recovery_codes_user_id', ['userId'])
export class RecoveryCodeEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'text' }) codeHash: string;
  @Column({ type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
