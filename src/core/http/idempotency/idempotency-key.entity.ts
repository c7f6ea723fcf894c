import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A POST that carried `Idempotency-Key`: the first response is stored and replayed for 24 h.
 * `scope` is who sent it (principal, or client IP when anonymous) plus the route, so two callers
 * can never see each other's responses through a shared key.
 */
@Entity({ name: 'idempotency_keys' })
@Index('uq_idempotency_keys_scope_key', ['scope', 'key'], { unique: true })
@Index('ix_idempotency_keys_expires_at', ['expiresAt'])
@Check('ck_idempotency_keys_state', `"state" IN ('pending', 'completed')`)
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' })
  id: string;

  @Column({ type: 'text' })
  scope: string;

  @Column({ type: 'text' })
  key: string;

  /** SHA-256 of method + route + body: the same key with another body is refused (422). */
  @Column({ type: 'text' })
  requestHash: string;

  /** `pending` while the first request runs; a concurrent retry gets 409 until it completes. */
  @Column({ type: 'text' })
  state: 'pending' | 'completed';

  @Column({ type: 'int', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'jsonb', nullable: true })
  responseBody: unknown;

  @Column({ type: 'jsonb', nullable: true })
  responseHeaders: Record<string, string> | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
