import {
  Inject,
  Optional,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { TenantDatabase } from '../../core/tenancy';
import { RealtimePublisher } from '../realtime';
import { OutboxRow, SearchOutboxRepository } from './search-outbox.repository';
import {
  SEARCH_BACKEND,
  SEARCH_TYPES,
  SearchBackend,
  SearchChange,
  SearchType,
} from './searchable';

const BATCH = 500;
/** More changes than this for one organization and type in a batch: one bulk event. */
const BULK_EVENT_THRESHOLD = 50;
/** A safety net: notifications wake the relay at once; this catches any it missed. */
const POLL_MS = 5_000;

/**
 * Drains `search_outbox` into the search backend, in the worker. Rows are written by triggers in the
 * same transaction as the change and announced with NOTIFY, which PostgreSQL delivers on commit —
 * so the relay only ever sees committed changes. Each batch is claimed with SKIP LOCKED and deleted
 * in the transaction that applied it: a failure leaves it for the next pass, several workers never
 * take the same rows. The batches run in `runAsSystem('outbox-relay')` (they span organizations);
 * the raw `DataSource` is only for the LISTEN connection, which must stay open outside any
 * transaction.
 */
@Injectable()
export class SearchOutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SearchOutboxRelay.name);
  private listener?: QueryRunner;
  private timer?: NodeJS.Timeout;
  private draining?: Promise<number>;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly db: TenantDatabase,
    private readonly outbox: SearchOutboxRepository,
    @Inject(SEARCH_BACKEND) private readonly backend: SearchBackend,
    @Optional() private readonly publisher?: RealtimePublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.backend.prepare?.().catch((error: unknown) => {
      this.logger.warn({ error: (error as Error).message }, 'search backend not ready');
    });
    this.timer = setInterval(() => void this.wake(), POLL_MS);
    try {
      this.listener = this.dataSource.createQueryRunner();
      await this.listener.connect();
      const client = (
        this.listener as unknown as {
          databaseConnection: { on(event: 'notification', listener: () => void): void };
        }
      ).databaseConnection;
      client.on('notification', () => void this.wake());
      await this.listener.query('LISTEN search_outbox');
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'search outbox: polling only');
    }
    void this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.draining?.catch(() => undefined);
    await this.listener?.release().catch(() => undefined);
  }

  /** Drains now (or right after the pass under way). */
  private wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) => {
        this.logger.warn({ error: (error as Error).message }, 'search outbox: pass failed');
        return 0;
      })
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Applies every pending change; returns how many outbox rows it consumed. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const consumed = await this.db.runAsSystem('outbox-relay', async (manager) => {
        const rows = await this.outbox.claimBatch(manager, BATCH);
        const changes: SearchChange[] = rows
          .filter((row) => (SEARCH_TYPES as readonly string[]).includes(row.entity_type))
          .map((row) => ({
            organizationId: row.organization_id,
            type: row.entity_type as SearchType,
            id: row.entity_id,
          }));
        if (changes.length > 0) await this.backend.apply(changes);
        return rows;
      });
      // Committed and indexed: tell the organization's sockets (a client may search at once).
      this.announce(consumed);
      total += consumed.length;
      if (consumed.length < BATCH || this.stopped) return total;
    }
  }

  /**
   * One `entity.changed` per row; a bulk write (an import batch) becomes one event per organization
   * and type instead of thousands that clients would only answer by refetching the list anyway.
   */
  private announce(rows: OutboxRow[]): void {
    if (!this.publisher) return;
    const groups = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const key = `${row.organization_id}:${row.entity_type}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const group of groups.values()) {
      const [{ organization_id: orgId, entity_type: type }] = group;
      if (group.length > BULK_EVENT_THRESHOLD) {
        this.publisher.entitiesChanged(orgId, type, group.length);
        continue;
      }
      for (const row of group)
        this.publisher.entityChanged(orgId, type, row.entity_id, row.operation);
    }
  }

  /** Resolves once the outbox is empty (tests, and `reindex` before it starts). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    await this.drain();
  }
}
