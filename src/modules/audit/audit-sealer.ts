import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantDatabase } from '../../core/tenancy';
import { chainHash, GENESIS_HASH } from './audit-chain';
import { AuditChainRepository, StoredAuditRow, UnsealedTail } from './audit-chain.repository';

/** Chain key of the rows without an organization (logins, platform events). */
export const SYSTEM_CHAIN = 'system';

/**
 * The wake-up (`WakeUps`, Redis) that wakes the sealer: the outbox's (`domain_events`), which
 * nearly every audited write sends after commit anyway (its domain event). Nothing here uses
 * PostgreSQL's NOTIFY: it makes every committing transaction that notified queue on one
 * cluster-wide lock held through its commit, exactly the kind of queue issue 21 removes; writes
 * without an event (logins, reads) are caught by the loop's short poll.
 */
export const AUDIT_SEAL_CHANNEL = 'domain_events';

/** Rows sealed per statement round (one transaction): SPEC issue 21 caps it at 1,000. */
export const SEAL_BATCH_SIZE = 1_000;

/** The verdict on one chain (`GET /audit-logs/verify`). */
export interface ChainVerification {
  /** Every sealed row's link, sequence and hash hold. */
  valid: boolean;
  /** Sealed rows checked (all of them when valid; those before the first broken one otherwise). */
  checked: number;
  firstBroken?: {
    id: string;
    seq: string;
    reason: 'hash_mismatch' | 'chain_broken' | 'sequence_gap';
  };
  /** Rows not yet chained (their transactions ended less than a sealer pass ago, or are running). */
  unsealed: { count: number; oldestAt: string | null };
}

/** The hash of a row as stored (its chain columns given), as `record` and the sealer define it. */
function rowHash(row: StoredAuditRow, seq: string, prevHash: string): string {
  return chainHash({
    id: row.id,
    organizationId: row.organization_id,
    chainKey: row.chain_key,
    seq,
    actorUserId: row.actor_user_id,
    actorApiKeyId: row.actor_api_key_id,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    changes: row.changes,
    requestId: row.request_id,
    ip: row.ip,
    createdAt: new Date(row.created_at).toISOString(),
    prevHash,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Chains unsealed audit rows (issue 21). Writers insert rows without `seq`/`prev_hash`/`hash`
 * and without any lock; the sealer appends them to their chain (`chain_key`) in the
 * deterministic order (`txid`, `created_at`, `id`), taking only rows whose transaction is below
 * the snapshot's xmin — so no transaction still running can later add a row that sorts before a
 * sealed one, and the chain order is exactly that order. Per batch (≤ `SEAL_BATCH_SIZE` rows, one
 * `runAsSystem('audit-chain')` transaction): the chain's advisory lock (held by sealers only, so
 * two workers or an on-demand seal never fork a chain), the sealable rows, the chain head, the
 * hashes, one UPDATE. A sealer killed mid-batch rolls the batch back: nothing is half-sealed, and
 * the next pass redoes it. Idempotent: sealing a sealed chain does nothing.
 *
 * Used by the worker's `AuditSealerLoop` (continuously), by verification (`seal` before `verify`)
 * and by tests (`sealAll({ settleMs })`).
 */
@Injectable()
export class AuditSealer {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: AuditChainRepository,
  ) {}

  /**
   * Seals what is sealable now of one chain; returns how many rows it sealed. With `settleMs`,
   * first waits (up to that long, polling) until every row committed before the call is sealable,
   * i.e. until the transactions that were running when it was called have ended.
   */
  async seal(chainKey: string, options: { settleMs?: number } = {}): Promise<number> {
    if (options.settleMs) return this.settle(chainKey, options.settleMs);
    let total = 0;
    for (;;) {
      const sealed = await this.db.runAsSystem('audit-chain', (m) => this.sealBatch(m, chainKey));
      total += sealed;
      if (sealed < SEAL_BATCH_SIZE) return total;
    }
  }

  /**
   * Seals what is sealable now of every chain (one pass); returns how many rows it sealed. With
   * `settleMs` (tests, a verification that must cover everything committed so far): repeats until
   * every row committed before the call is sealed, or `settleMs` has passed.
   */
  async sealAll(options: { settleMs?: number } = {}): Promise<number> {
    if (options.settleMs) return this.settle(null, options.settleMs);
    const chains = await this.db.runAsSystem('audit-chain', (m) =>
      this.repository.sealableChains(m),
    );
    let total = 0;
    for (const chainKey of chains) total += await this.seal(chainKey);
    return total;
  }

  /** The unsealed tail of one chain, or of all (null): count, oldest `created_at`, its age. */
  unsealedTail(chainKey: string | null): Promise<UnsealedTail> {
    return this.db.runAsSystem('audit-chain', (m) => this.repository.unsealedTail(m, chainKey));
  }

  /**
   * Walks the sealed rows of a chain in `seq` order and reports the first whose sequence, link
   * or hash does not hold (`hash = sha256(canonical JSON of every field but the hash)`, exactly as
   * before issue 21), plus the unsealed tail (not yet covered by the chain).
   */
  async verify(chainKey: string): Promise<ChainVerification> {
    let previousHash = GENESIS_HASH;
    let expectedSeq = 1n;
    let checked = 0;
    let after = '0';
    const verdict = async (
      broken?: ChainVerification['firstBroken'],
    ): Promise<ChainVerification> => {
      const tail = await this.unsealedTail(chainKey);
      const unsealed = { count: tail.count, oldestAt: tail.oldestAt?.toISOString() ?? null };
      return broken
        ? { valid: false, checked, firstBroken: broken, unsealed }
        : { valid: true, checked, unsealed };
    };
    for (;;) {
      const rows = await this.db.runAsSystem('audit-chain', (m) =>
        this.repository.sealedAfter(m, chainKey, after),
      );
      if (rows.length === 0) return verdict();
      for (const row of rows) {
        const seq = String(row.seq);
        const broken = (reason: 'hash_mismatch' | 'chain_broken' | 'sequence_gap') =>
          verdict({ id: row.id, seq, reason });
        if (BigInt(seq) !== expectedSeq) return broken('sequence_gap');
        if (row.prev_hash !== previousHash) return broken('chain_broken');
        if (rowHash(row, seq, row.prev_hash) !== row.hash) return broken('hash_mismatch');
        previousHash = row.hash;
        expectedSeq += 1n;
        checked += 1;
        after = seq;
      }
    }
  }

  /** One batch of one chain, in the caller's system transaction; returns the rows it sealed. */
  private async sealBatch(manager: EntityManager, chainKey: string): Promise<number> {
    await this.repository.lockChain(manager, chainKey);
    // Read after the lock: a batch another sealer committed meanwhile is visible (and skipped).
    const rows = await this.repository.sealable(manager, chainKey, SEAL_BATCH_SIZE);
    if (rows.length === 0) return 0;
    const head = await this.repository.head(manager, chainKey);
    let seq = head ? BigInt(head.seq) : 0n;
    let prevHash = head?.hash ?? GENESIS_HASH;
    const links = rows.map((row) => {
      seq += 1n;
      const link = { id: row.id, seq: seq.toString(), prevHash, hash: '' };
      link.hash = rowHash(row, link.seq, prevHash);
      prevHash = link.hash;
      return link;
    });
    const sealed = await this.repository.seal(manager, links);
    if (sealed !== links.length) {
      // Under the chain lock no other sealer can have taken them: refuse to leave a gap.
      throw new Error(`audit chain ${chainKey}: sealed ${sealed} of ${links.length} rows`);
    }
    return sealed;
  }

  /**
   * Seals (one chain, or all) until no row committed before the call is left unsealed, polling
   * every 20 ms for at most `settleMs` (a transaction still running elsewhere holds the horizon).
   */
  private async settle(chainKey: string | null, settleMs: number): Promise<number> {
    const deadline = Date.now() + settleMs;
    const before = await this.db.runAsSystem('audit-chain', (m) => this.repository.nextTxid(m));
    let total = 0;
    for (;;) {
      total += chainKey === null ? await this.sealAll() : await this.seal(chainKey);
      const left = await this.db.runAsSystem('audit-chain', (m) =>
        this.repository.committedUnsealedBelow(m, before, chainKey),
      );
      if (left === 0 || Date.now() >= deadline) return total;
      await sleep(20);
    }
  }
}
