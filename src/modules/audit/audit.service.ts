import { TargetRegistry } from '../../core/targets';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { TenantDatabase } from '../../core/tenancy';
import { Clock } from '../../core/clock';
import { assertVersionMatches, ExpectedVersion } from '../../core/http';
import { DomainEventInput, DomainEvents } from '../domain-events';
import { chainHash, ChainedFields, diffFields, GENESIS_HASH, maskSecrets } from './audit-chain';

export interface AuditEntry {
  organizationId: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  changes?: Record<string, unknown>;
  context: AuditContext;
  /**
   * The domain event published with this row (see `domainEventOf`): extra `data` for consumers
   * (comments pass `target`, `mentionedUserIds`), another `type`, or `skip` to publish none.
   */
  event?: {
    data?: Record<string, unknown>;
    type?: string;
    skip?: boolean;
    /** Set by `recordUpdate`: the fields that differ (default for `update`: the keys of `changes`). */
    changedFields?: string[];
  };
}

/** Verbs whose past tense is not verb + `d`/`ed`. */
const IRREGULAR_PAST: Record<string, string> = { read: 'read', bulk: 'bulk_changed' };

/** `create` → `created`, `archive` → `archived`, `revoke` → `revoked`, `move` → `moved`. */
export function pastTense(verb: string): string {
  if (IRREGULAR_PAST[verb]) return IRREGULAR_PAST[verb];
  return verb.endsWith('e') ? `${verb}d` : `${verb}ed`;
}

/**
 * The domain event an audit row stands for, or null when it publishes none: rows without an
 * organization (system and account events), security and account actions (a dotted action such as
 * `login.failure`, `session.revoke`, `totp.enable`, `signup.complete`, `tenant.delete`: facts about a
 * principal, not about a record of the organization), reads, and `event.skip`. Otherwise type
 * `${entityType}.${pastTense(action)}` (or `event.type`), changedFields = the keys of `changes`
 * (for an update: exactly the fields that changed), the audit context's actor and request id.
 */
export function domainEventOf(entry: AuditEntry): DomainEventInput | null {
  if (entry.event?.skip || entry.organizationId === null) return null;
  if (!entry.event?.type && (entry.action.includes('.') || entry.action === 'read')) return null;
  return {
    organizationId: entry.organizationId,
    type: entry.event?.type ?? `${entry.entityType}.${pastTense(entry.action)}`,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    actorUserId: entry.context.actorUserId,
    actorApiKeyId: entry.context.actorApiKeyId,
    changedFields:
      entry.event?.changedFields ??
      (entry.action === 'update' ? Object.keys(entry.changes ?? {}) : []),
    data: entry.event?.data ?? {},
    requestId: entry.context.requestId,
  };
}

/** Who/what a guarded update or delete is recorded against (`updateGuarded`, `deleteGuarded`). */
export type GuardedEntry = Pick<AuditEntry, 'entityType' | 'context' | 'event'> & {
  organizationId: string | null;
  /** Null/absent for rows keyed by a natural key (currencies, units): pass it in `extra`. */
  entityId?: string | null;
};

export interface ChainVerification {
  valid: boolean;
  checked: number;
  firstBroken?: {
    id: string;
    seq: string;
    reason: 'hash_mismatch' | 'chain_broken' | 'sequence_gap';
  };
}

interface StoredRow {
  id: string;
  organization_id: string | null;
  chain_key: string;
  seq: string;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: Record<string, unknown>;
  request_id: string | null;
  ip: string | null;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

/**
 * The one audit writer. `record` must run inside the caller's transaction, so the audit row
 * commits or rolls back with the change it describes; rows of one organization form a hash chain.
 * Each recorded change of an organization's record also publishes its domain event in that
 * transaction (`domainEventOf`), so the audit row, the event and the change commit together.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly targets: TargetRegistry,
  ) {}

  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(
        'AuditService.record must run inside the transaction of the change it records',
      );
    }
    const chainKey = entry.organizationId ?? 'system';
    // Serialises writers of one chain until commit, so seq/prev_hash never fork.
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [chainKey]);
    const [last] = await manager.query<{ seq: string; hash: string }[]>(
      'SELECT seq, hash FROM audit_logs WHERE chain_key = $1 ORDER BY seq DESC LIMIT 1',
      [chainKey],
    );
    const fields: ChainedFields = {
      id: uuidv7(),
      organizationId: entry.organizationId,
      chainKey,
      seq: last ? (BigInt(last.seq) + 1n).toString() : '1',
      actorUserId: entry.context.actorUserId,
      actorApiKeyId: entry.context.actorApiKeyId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      changes: maskSecrets(entry.changes ?? {}),
      requestId: entry.context.requestId,
      ip: entry.context.ip,
      createdAt: this.clock.now().toISOString(),
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    await manager.query(
      `INSERT INTO audit_logs (id, organization_id, chain_key, seq, actor_user_id, actor_api_key_id, action,
         entity_type, entity_id, changes, request_id, ip, created_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        fields.id,
        fields.organizationId,
        fields.chainKey,
        fields.seq,
        fields.actorUserId,
        fields.actorApiKeyId,
        fields.action,
        fields.entityType,
        fields.entityId,
        JSON.stringify(fields.changes),
        fields.requestId,
        fields.ip,
        fields.createdAt,
        fields.prevHash,
        chainHash(fields),
      ],
    );
    const event = domainEventOf(entry);
    if (event) await this.events.publish(manager, event);
  }

  /**
   * The versioned-update-plus-audit routine every PATCH/PUT goes through. `write` (the UPDATE
   * that bumps `version`) runs under a savepoint; when `fields` of its result equal `before`'s
   * (compared as `diffFields` does), the savepoint is rolled back — no version bump, no
   * `updated_at`, no audit row, no outbox event — and `before` is returned, so a no-op PATCH
   * answers 200 with the unchanged version and ETag. Otherwise the change is recorded as
   * `entry` with `changes` = the differing fields (after `extra`, e.g. a natural key).
   * Needs the caller's transaction (throws otherwise, as `record` does).
   */
  async recordUpdate<T extends object>(
    manager: EntityManager,
    before: T,
    fields: (keyof T)[],
    write: () => Promise<T>,
    entry: Omit<AuditEntry, 'changes'> & {
      extra?: Record<string, unknown>;
      /** The audit row's `changes` when something changed (default: the differing fields). */
      describe?: (before: T, after: T) => Record<string, unknown>;
    },
  ): Promise<T> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditService.recordUpdate must run inside the transaction of the change');
    }
    await manager.query('SAVEPOINT audit_update_noop');
    const after = await write();
    const changes = diffFields(before, after, fields);
    if (Object.keys(changes).length === 0) {
      await manager.query('ROLLBACK TO SAVEPOINT audit_update_noop');
      return before;
    }
    await manager.query('RELEASE SAVEPOINT audit_update_noop');
    const { extra, describe, ...rest } = entry;
    const described = describe ? describe(before, after) : changes;
    await this.record(manager, {
      ...rest,
      changes: { ...extra, ...described },
      event: { ...rest.event, changedFields: Object.keys(changes) },
    });
    return after;
  }

  /**
   * The guarded PATCH/PUT routine of a versioned row, in the caller's tenant transaction:
   * `read()` the row as it is now (its not-found error propagates), check `If-Match`
   * (`assertVersionMatches`: 412 `PreconditionFailedError` when `expectedVersion` is a number other
   * than `before.version`), then `recordUpdate` around `write(before)` — the repository's guarded
   * UPDATE at `before.version` mapped to the DTO — audited as action `update` (or what `action`
   * names) on (`entry.entityType`, `entry.entityId`). Savepoint/no-op semantics are those of
   * `recordUpdate`: when `fields` of the result equal `before`'s, nothing is written and `before`
   * is returned. `expectedVersion` comes from `@IfMatch()` (`undefined`/`*`: unconditional).
   */
  async updateGuarded<T extends { version: number }>(
    manager: EntityManager,
    expectedVersion: ExpectedVersion,
    op: {
      read: () => Promise<T>;
      fields: (keyof T)[];
      write: (before: T) => Promise<T>;
      /** The audit row's action (default `update`), e.g. `transition` when a status moves. */
      action?: (before: T) => string;
      entry: GuardedEntry & {
        extra?: Record<string, unknown>;
        describe?: (before: T, after: T) => Record<string, unknown>;
      };
    },
  ): Promise<T> {
    const before = await op.read();
    assertVersionMatches(expectedVersion, before.version);
    return this.recordUpdate(manager, before, op.fields, () => op.write(before), {
      ...op.entry,
      action: op.action ? op.action(before) : 'update',
    });
  }

  /**
   * The guarded DELETE routine of a versioned row, in the caller's tenant transaction: `read()`
   * the row (its not-found error propagates), check `If-Match` as `updateGuarded` does (412), run
   * `remove(before)` (the repository's DELETE; restricting foreign keys surface as its errors), then
   * record action `delete` on (`entry.entityType`, `entry.entityId`) with `changes(before)`.
   * Returns `before`, for callers with follow-up work (events, cache eviction).
   */
  async deleteGuarded<T extends { version: number }>(
    manager: EntityManager,
    expectedVersion: ExpectedVersion,
    op: {
      read: () => Promise<T>;
      remove: (before: T) => Promise<unknown>;
      entry: GuardedEntry;
      changes: (before: T) => Record<string, unknown>;
      /**
       * The row is a collaboration target of this type (SPEC-P3 §0): what hangs off it
       * (attachments, comments, followers, …) is deleted in this transaction, and what the
       * children report (`followerIds`) rides on the deletion's domain event.
       */
      target?: string;
    },
  ): Promise<T> {
    const before = await op.read();
    assertVersionMatches(expectedVersion, before.version);
    await op.remove(before);
    const { organizationId, entityId } = op.entry;
    const children =
      op.target && organizationId && entityId
        ? await this.targets.deleteChildren(manager, organizationId, op.target, entityId)
        : {};
    await this.record(manager, {
      ...op.entry,
      action: 'delete',
      changes: op.changes(before),
      event: { data: children },
    });
    return before;
  }

  /** For events with no surrounding change (login success/failure): its own small transaction. */
  async recordStandalone(entry: AuditEntry): Promise<void> {
    await this.db.runAsSystem('audit-chain', (manager) => this.record(manager, entry));
  }

  /** Walks a chain in order and reports the first row whose hash or link does not hold. */
  async verify(organizationId: string | null): Promise<ChainVerification> {
    const chainKey = organizationId ?? 'system';
    let previousHash = GENESIS_HASH;
    let expectedSeq = 1n;
    let checked = 0;
    let after = '0';
    for (;;) {
      const rows = await this.db.runAsSystem('audit-chain', (m) =>
        m.query<StoredRow[]>(
          `SELECT * FROM audit_logs WHERE chain_key = $1 AND seq > $2 ORDER BY seq LIMIT 1000`,
          [chainKey, after],
        ),
      );
      if (rows.length === 0) return { valid: true, checked };
      for (const row of rows) {
        const broken = (
          reason: 'hash_mismatch' | 'chain_broken' | 'sequence_gap',
        ): ChainVerification => ({
          valid: false,
          checked,
          firstBroken: { id: row.id, seq: String(row.seq), reason },
        });
        if (BigInt(row.seq) !== expectedSeq) return broken('sequence_gap');
        if (row.prev_hash !== previousHash) return broken('chain_broken');
        const recomputed = chainHash({
          id: row.id,
          organizationId: row.organization_id,
          chainKey: row.chain_key,
          seq: String(row.seq),
          actorUserId: row.actor_user_id,
          actorApiKeyId: row.actor_api_key_id,
          action: row.action,
          entityType: row.entity_type,
          entityId: row.entity_id,
          changes: row.changes,
          requestId: row.request_id,
          ip: row.ip,
          createdAt: new Date(row.created_at).toISOString(),
          prevHash: row.prev_hash,
        });
        if (recomputed !== row.hash) return broken('hash_mismatch');
        previousHash = row.hash;
        expectedSeq += 1n;
        checked += 1;
        after = String(row.seq);
      }
    }
  }
}
