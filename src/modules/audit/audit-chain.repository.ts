import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** An audit row as stored: the fields its hash covers, plus the chain columns (null = unsealed). */
export interface StoredAuditRow {
  id: string;
  organization_id: string | null;
  chain_key: string;
  seq: string | null;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: Record<string, unknown>;
  request_id: string | null;
  ip: string | null;
  created_at: Date;
  prev_hash: string | null;
  hash: string | null;
}

/** The unsealed tail of one chain, or of every chain. */
export interface UnsealedTail {
  count: number;
  /** `created_at` of the oldest unsealed row, or null when there is none. */
  oldestAt: Date | null;
  /** Seconds from that row's `created_at` to now (database clock); 0 when there is none. */
  ageSeconds: number;
}

/** What the sealer assigns to one row. */
export interface SealedLink {
  id: string;
  seq: string;
  prevHash: string;
  hash: string;
}

/**
 * The sealing horizon: rows whose writing transaction id (`txid`) is below the current snapshot's
 * xmin belong to transactions that have all ended (committed, so visible, or rolled back, so
 * gone); every transaction still running, and every later one, has an id at or above it.
 */
const HORIZON = `pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

/**
 * The SQL of the audit chain (`audit_logs`): sealing and verification reads. Every method runs on
 * the caller's manager (a `runAsSystem('audit-chain')` transaction: chains span organizations).
 */
@Injectable()
export class AuditChainRepository {
  /**
   * The chain's sealer lock, held to commit: key 7 of `hashtextextended(chain_key, …)`, the lock
   * writers took before issue 21, so a writer of an older release still running during a rolling
   * deployment and the sealer never both extend one chain.
   */
  async lockChain(manager: EntityManager, chainKey: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [chainKey]);
  }

  /** Chains holding rows that are sealable now (their transaction older than the horizon). */
  async sealableChains(manager: EntityManager): Promise<string[]> {
    const rows = await manager.query<{ chain_key: string }[]>(
      `SELECT DISTINCT chain_key FROM audit_logs WHERE seq IS NULL AND txid < ${HORIZON}`,
    );
    return rows.map((row) => row.chain_key);
  }

  /**
   * Up to `limit` sealable rows of the chain in sealing order: (`txid`, `created_at`, `id`). Rows
   * of a transaction at or above the horizon wait: that transaction, or one still running before
   * it, could still add a row ordered before them.
   */
  sealable(manager: EntityManager, chainKey: string, limit: number): Promise<StoredAuditRow[]> {
    return manager.query<StoredAuditRow[]>(
      `SELECT * FROM audit_logs
        WHERE chain_key = $1 AND seq IS NULL AND txid < ${HORIZON}
        ORDER BY txid, created_at, id
        LIMIT ${Number(limit)}`,
      [chainKey],
    );
  }

  /** The last sealed row of the chain (its seq and hash), or undefined for an empty chain. */
  async head(
    manager: EntityManager,
    chainKey: string,
  ): Promise<{ seq: string; hash: string } | undefined> {
    const [row] = await manager.query<{ seq: string; hash: string }[]>(
      `SELECT seq, hash FROM audit_logs
        WHERE chain_key = $1 AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1`,
      [chainKey],
    );
    return row;
  }

  /**
   * Writes the chain columns of still-unsealed rows in one statement (the append-only trigger
   * allows exactly this UPDATE); returns how many rows it sealed.
   */
  async seal(manager: EntityManager, links: readonly SealedLink[]): Promise<number> {
    const [, affected] = await manager.query<[unknown, number]>(
      `UPDATE audit_logs a SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
         FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev_hash, hash)
        WHERE a.id = v.id AND a.seq IS NULL`,
      [
        links.map((l) => l.id),
        links.map((l) => l.seq),
        links.map((l) => l.prevHash),
        links.map((l) => l.hash),
      ],
    );
    return affected;
  }

  /** Up to 1,000 sealed rows of the chain with `seq` > `after`, in `seq` order. */
  sealedAfter(manager: EntityManager, chainKey: string, after: string): Promise<StoredAuditRow[]> {
    return manager.query<StoredAuditRow[]>(
      `SELECT * FROM audit_logs WHERE chain_key = $1 AND seq > $2 ORDER BY seq LIMIT 1000`,
      [chainKey, after],
    );
  }

  /** The unsealed tail of `chainKey`, or of every chain when it is null. */
  async unsealedTail(manager: EntityManager, chainKey: string | null): Promise<UnsealedTail> {
    const [row] = await manager.query<
      { count: number; oldest_at: Date | null; age_seconds: number }[]
    >(
      `SELECT count(*)::int AS count, min(created_at) AS oldest_at,
              coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)::float8 AS age_seconds
         FROM audit_logs WHERE seq IS NULL ${chainKey === null ? '' : 'AND chain_key = $1'}`,
      chainKey === null ? [] : [chainKey],
    );
    return {
      count: row.count,
      oldestAt: row.oldest_at,
      ageSeconds: Math.max(0, row.age_seconds),
    };
  }

  /**
   * Unsealed rows of committed transactions below `before` (a txid taken earlier): what a
   * `sealAll` that settles still has to wait for.
   */
  async committedUnsealedBelow(
    manager: EntityManager,
    before: string,
    chainKey: string | null,
  ): Promise<number> {
    const [row] = await manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_logs
        WHERE seq IS NULL AND txid < $1 ${chainKey === null ? '' : 'AND chain_key = $2'}`,
      chainKey === null ? [before] : [before, chainKey],
    );
    return row.n;
  }

  /** The next transaction id to be assigned: every transaction committed so far is below it. */
  async nextTxid(manager: EntityManager): Promise<string> {
    const [row] = await manager.query<{ xmax: string }[]>(
      `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`,
    );
    return row.xmax;
  }
}
