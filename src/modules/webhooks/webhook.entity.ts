import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { BaseEntity } from '../../core/database';

export const SUBSCRIPTION_STATUSES = ['active', 'paused'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
/** Why a subscription is paused: by a person, by a 410 Gone, by too many failed deliveries. */
export type PausedReason = 'manual' | 'gone' | 'failures';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'retrying'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * An organization's outbound webhook (issue 19): events whose type matches `eventTypes` are
 * POSTed, signed, to `url` while `status` is active. `secretSealed` is the signing secret
 * encrypted (see `sealSecret`); the plain secret is shown once, on creation and rotation.
 */
@Entity({ name: 'webhook_subscriptions' })
@Index('ix_webhook_subscriptions_org_status', ['organizationId', 'status'])
@Check('ck_webhook_subscriptions_status', `"status" IN ('active', 'paused')`)
@Check(
  'ck_webhook_subscriptions_paused_reason',
  `"paused_reason" IN ('manual', 'gone', 'failures')`,
)
@Check('ck_webhook_subscriptions_event_types', `cardinality("event_types") BETWEEN 1 AND 50`)
export class WebhookSubscriptionEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 1000, nullable: true }) description: string | null;
  @Column({ type: 'varchar', length: 2048 }) url: string;
  @Column({ type: 'text', array: true }) eventTypes: string[];
  @Column({ type: 'varchar', length: 20, default: 'active' }) status: SubscriptionStatus;
  @Column({ type: 'varchar', length: 20, nullable: true }) pausedReason: PausedReason | null;
  @Column({ type: 'text' }) secretSealed: string;
  @Column({ type: 'integer', default: 0 }) consecutiveFailures: number;
}

/**
 * One event for one subscription (unique per pair: the fan-out is idempotent), with the payload
 * as sent and the outcome of its attempts. Due rows (`pending`/`retrying` with `nextAttemptAt`
 * passed) are claimed by the worker's dispatcher.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('uq_webhook_deliveries_event', ['subscriptionId', 'eventId'], { unique: true })
@Index('ix_webhook_deliveries_list', ['organizationId', 'subscriptionId', 'createdAt', 'id'])
@Index('ix_webhook_deliveries_due', { synchronize: false }) // partial: in the migration
@Check('ck_webhook_deliveries_status', `"status" IN ('pending', 'succeeded', 'failed', 'retrying')`)
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) subscriptionId: string;
  @Column({ type: 'uuid' }) eventId: string;
  @Column({ type: 'varchar', length: 101 }) eventType: string;
  @Column({ type: 'jsonb' }) payload: Record<string, unknown>;
  @Column({ type: 'varchar', length: 20, default: 'pending' }) status: DeliveryStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ type: 'timestamptz', nullable: true }) nextAttemptAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) firstAttemptAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastAttemptAt: Date | null;
  @Column({ type: 'integer', nullable: true }) responseStatus: number | null;
  @Column({ type: 'integer', nullable: true }) latencyMs: number | null;
  @Column({ type: 'varchar', length: 1024, nullable: true }) responseBody: string | null;
  @Column({ type: 'varchar', length: 1000, nullable: true }) error: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) attemptLog: unknown[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
