import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * One pending domain event (the outbox, migration CreateDomainEvents). Written in the transaction
 * of the change it describes, deleted by the relay in the transaction that ran every consumer.
 * `attempts`, `available_at` (retry backoff) and `failed_at` (dead-lettered after too many
 * failures) are the relay's bookkeeping. Only the repository reads or writes it, in plain SQL.
 */
@Entity({ name: 'domain_events' })
@Unique('uq_domain_events_event_id', ['eventId'])
@Index('ix_domain_events_pending', ['id'], { where: '"failed_at" IS NULL' })
export class DomainEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'uuid', default: () => 'gen_uuid_v7()' }) eventId: string;
  @Column({ type: 'uuid', nullable: true }) organizationId: string | null;
  @Column({ type: 'text' }) type: string;
  @Column({ type: 'text' }) entityType: string;
  @Column({ type: 'text', nullable: true }) entityId: string | null;
  @Column({ type: 'uuid', nullable: true }) actorUserId: string | null;
  @Column({ type: 'uuid', nullable: true }) actorApiKeyId: string | null;
  @Column({ type: 'text', array: true, default: '{}' }) changedFields: string[];
  @Column({ type: 'jsonb', default: {} }) data: Record<string, unknown>;
  @Column({ type: 'integer', default: 0 }) causationDepth: number;
  @Column({ type: 'text', nullable: true }) requestId: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) occurredAt: Date;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ type: 'timestamptz', default: () => 'now()' }) availableAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) failedAt: Date | null;
  @Column({ type: 'text', nullable: true }) lastError: string | null;
}
