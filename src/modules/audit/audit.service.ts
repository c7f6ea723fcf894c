import { TargetRegistry } from '../../core/targets';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { atCommit, TenantDatabase, withSavepoint } from '../../core/tenancy';
import { Clock } from '../../core/clock';
import { assertVersionMatches, ExpectedVersion } from '../../core/http';
import { DomainEventInput, DomainEvents } from '../domain-events';
import { diffFields, maskSecrets } from './audit-chain';
import { AuditSealer, ChainVerification, SYSTEM_CHAIN } from './audit-sealer';

/** How long a verification waits for transactions running when it was asked (ms). */
const VERIFY_SETTLE_MS = 2_000;

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
 * (for an update: exactly the fields that changed), the audit context's actor and request id, and
 * its causation (depth; a rule's id in `data.causation`).
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
    data: causedData(entry),
    causationDepth: entry.context.causation?.depth ?? 0,
    requestId: entry.context.requestId,
  };
}

/** The event's data, plus `causation: {automationRuleId, automationRunId}` for a rule's write. */
function causedData(entry: AuditEntry): Record<string, unknown> {
  const data = entry.event?.data ?? {};
  const causation = entry.context.causation;
  if (!causation?.automationRuleId) return data;
  return {
    ...data,
    causation: {
      automationRuleId: causation.automationRuleId,
      automationRunId: causation.automationRunId ?? null,
    },
  };
}

/** Who/what a guarded update or delete is recorded against (`updateGuarded`, `deleteGuarded`). */
export type GuardedEntry = Pick<AuditEntry, 'entityType' | 'context' | 'event'> & {
  organizationId: string | null;
  /** Null/absent for rows keyed by a natural key (currencies, units): pass it in `extra`. */
  entityId?: string | null;
};

/**
 * The one audit writer. `record` must run inside the caller's transaction, so the audit row
 * commits or rolls back with the change it describes; rows of one organization form a hash chain,
 * which `AuditSealer` extends after commit (see README.md).
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
    private readonly sealer: AuditSealer,
  ) {}

  /**
   * Inserts the audit row of `entry` in the caller's transaction, *unsealed*: its content, its
   * `created_at` (the clock, ms precision) and — set by a trigger — the writing transaction's id;
   * `seq`/`prev_hash`/`hash` stay null until `AuditSealer` chains it after commit. It takes no
   * lock and reads nothing of the chain, so audited writes of one organization do not wait for
   * each other (and it sends no NOTIFY: see AuditSealerLoop). The row's domain event
   * (`domainEventOf`), when it has one, is published with it: the audit INSERT goes as a CTE of
   * the outbox INSERT, one round trip for both. Throws outside a transaction.
   */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(
        'AuditService.record must run inside the transaction of the change it records',
      );
    }
    // The table's insert trigger stamps `txid` (the writing transaction).
    const insert = {
      sql: `INSERT INTO audit_logs (id, organization_id, chain_key, actor_user_id, actor_api_key_id, action,
              entity_type, entity_id, changes, request_id, ip, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      params: [
        uuidv7(),
        entry.organizationId,
        entry.organizationId ?? SYSTEM_CHAIN,
        entry.context.actorUserId,
        entry.context.actorApiKeyId,
        entry.action,
        entry.entityType,
        entry.entityId ?? null,
        JSON.stringify(maskSecrets(entry.changes ?? {})),
        entry.context.requestId,
        entry.context.ip,
        this.clock.now().toISOString(),
      ],
    };
    const event = domainEventOf(entry);
    // With an event, the audit row rides on the outbox INSERT; either way the statement goes
    // with the transaction's COMMIT (atCommit): no round trip of its own.
    if (event) await this.events.publish(manager, event, insert);
    else if (!atCommit(manager, insert)) await manager.query(insert.sql, insert.params);
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
    let changes: ReturnType<typeof diffFields> = {};
    const after = await withSavepoint(manager, 'audit_update_noop', write, (written) => {
      changes = diffFields(before, written, fields);
      return Object.keys(changes).length === 0; // a no-op: no version bump, no audit row
    });
    if (Object.keys(changes).length === 0) return before;
    const { extra, describe, ...rest } = entry;
    const described = describe ? describe(before, after) : changes;
    // Consumers (automation's `field.changed` with `from`, webhook receivers) see what each
    // changed field held before, as the audit row does (secrets masked).
    const previous = maskSecrets(
      Object.fromEntries(Object.entries(changes).map(([field, change]) => [field, change.from])),
    );
    await this.record(manager, {
      ...rest,
      changes: { ...extra, ...described },
      event: {
        ...rest.event,
        data: { ...rest.event?.data, previous },
        changedFields: Object.keys(changes),
      },
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

  /**
   * Verifies a chain (`AuditSealer.verify`: the sealed rows' sequence, links and hashes, and the
   * unsealed tail). First seals what committed before the call (`AuditSealer.seal` with
   * `settleMs`: waiting at most `VERIFY_SETTLE_MS` for transactions that were running then), so
   * the verdict covers every change committed so far even when the worker's sealer is behind or
   * down; rows of transactions still running are reported in `unsealed`.
   */
  async verify(organizationId: string | null): Promise<ChainVerification> {
    const chainKey = organizationId ?? SYSTEM_CHAIN;
    await this.sealer.seal(chainKey, { settleMs: VERIFY_SETTLE_MS });
    return this.sealer.verify(chainKey);
  }
}
