import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/** One in-app notification for one recipient in one organization (SPEC-P3 §4). */
@Entity({ name: 'notifications' })
@Index('ix_notifications_recipient', { synchronize: false }) // (org, recipient, id DESC) live rows
@Index('ix_notifications_unread', { synchronize: false }) // same keys, unread and live rows only
@Index('uq_notifications_dedupe_key', { synchronize: false }) // (org, recipient, dedupe_key) when set
@Check('ck_notifications_level', `"level" IN ('info', 'success', 'warning', 'error')`)
@Check('ck_notifications_body', `length("body") <= 4000`)
export class NotificationEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) recipientUserId: string;
  @Column({ type: 'varchar', length: 64 }) type: string;
  @Column({ type: 'varchar', length: 16, default: 'info' }) level: string;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'text', nullable: true }) body: string | null;
  @Column({ type: 'uuid', nullable: true }) actorUserId: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) entityType: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) entityId: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) actionPath: string | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) data: Record<string, unknown>;
  @Column({ type: 'varchar', length: 200, nullable: true }) dedupeKey: string | null;
  @Column({ type: 'timestamptz', nullable: true }) readAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) archivedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/** How one notification travels on one channel (e-mail today; realtime pushes are not kept). */
@Entity({ name: 'notification_deliveries' })
@Unique('uq_notification_deliveries_channel', ['notificationId', 'channel'])
@Index('ix_notification_deliveries_queued', { synchronize: false }) // (created_at) WHERE queued
@Check('ck_notification_deliveries_channel', `"channel" IN ('email', 'realtime')`)
@Check('ck_notification_deliveries_status', `"status" IN ('queued', 'sent', 'failed', 'skipped')`)
@Check('ck_notification_deliveries_email_mode', `"email_mode" IN ('immediate', 'digest_daily')`)
export class NotificationDeliveryEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) notificationId: string;
  @Column({ type: 'uuid' }) recipientUserId: string;
  @Column({ type: 'varchar', length: 16 }) channel: string;
  @Column({ type: 'varchar', length: 16 }) status: string;
  @Column({ type: 'varchar', length: 16, nullable: true }) emailMode: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) groupKey: string | null;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ type: 'text', nullable: true }) lastError: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) sentAt: Date | null;
}

/** A person's choice for one notification type (or `*`) on one channel, in one organization. */
@Entity({ name: 'notification_preferences' })
@Check('ck_notification_preferences_channel', `"channel" IN ('email', 'realtime')`)
@Check(
  'ck_notification_preferences_email_mode',
  `"email_mode" IN ('immediate', 'digest_daily', 'off')`,
)
export class NotificationPreferenceEntity {
  @PrimaryColumn({ type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'uuid' }) userId: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) type: string;
  @PrimaryColumn({ type: 'varchar', length: 16 }) channel: string;
  @Column({ type: 'boolean' }) enabled: boolean;
  @Column({ type: 'varchar', length: 16, nullable: true }) emailMode: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
}

/**
 * The maintained counts of one person in one organization (never a COUNT at read time): `unread`
 * (unread and live) and `live` (not archived, read or not: the list's total).
 */
@Entity({ name: 'notification_counters' })
@Check('ck_notification_counters_unread', `"unread" >= 0`)
@Check('ck_notification_counters_live', `"live" >= 0`)
export class NotificationCounterEntity {
  @PrimaryColumn({ type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'uuid' }) userId: string;
  @Column({ type: 'integer', default: 0 }) unread: number;
  @Column({ type: 'integer', default: 0 }) live: number;
}
