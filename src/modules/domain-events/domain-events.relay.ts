import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { WakeUps } from '../../core/redis';
import { TenantDatabase } from '../../core/tenancy';
import type { DomainEvent } from './domain-event';
import { DomainEventsRepository } from './domain-events.repository';
import { DomainEventConsumers, OUTBOX_WAKE_UP } from './domain-events.service';

/** Tuning of the relay (tests shorten the backoff and the poll). */
export interface DomainEventsRelayOptions {
  /** Events claimed per transaction. */
  batchSize: number;
  /** Safety-net poll (ms): the outbox wake-up (Redis) wakes the relay at once; this catches any it missed. */
  pollMs: number;
  /** Failed deliveries of one event before it is dead-lettered (`failed_at`). */
  maxAttempts: number;
  /** Wait before retry number `attempts + 1` (ms). */
  retryAfterMs: (attempts: number) => number;
  /** Subscribe to the wake-up and start the poll on bootstrap (tests drive `flush()` themselves when false). */
  autoStart: boolean;
}

export const DOMAIN_EVENTS_RELAY_OPTIONS = Symbol('DOMAIN_EVENTS_RELAY_OPTIONS');

export const DEFAULT_RELAY_OPTIONS: DomainEventsRelayOptions = {
  batchSize: 500,
  pollMs: 5_000,
  maxAttempts: 10,
  // 1 s, 2 s, 4 s ... capped at 5 minutes: ten attempts span about 12 minutes.
  retryAfterMs: (attempts) => Math.min(1_000 * 2 ** (attempts - 1), 300_000),
  autoStart: true,
};

type AfterCommit = () => void | Promise<void>;

/**
 * Delivers committed domain events to every registered consumer, in the worker. Each pass claims
 * the oldest deliverable events `FOR UPDATE SKIP LOCKED` in `runAsSystem('outbox-relay')` (events
 * span organizations), runs every consumer in that transaction, deletes the events there and, once
 * committed, runs the consumers' after-commit callbacks. So an event is deleted exactly when every
 * consumer's writes committed; a crash anywhere before the commit leaves it for the next pass
 * (at-least-once), and concurrent relays never take the same events.
 *
 * A failing consumer rolls its batch back; the relay then delivers that batch's events one by one,
 * so healthy events go through at once and only the failing one is retried later with exponential
 * backoff (`retryAfterMs`), logged each time, and dead-lettered (`failed_at`, counted by the
 * `domain_events_failed` gauge) after `maxAttempts`: a poison event never blocks the queue.
 * It wakes on `OUTBOX_WAKE_UP`, a Redis signal `DomainEvents` sends after a publishing transaction
 * committed (not PostgreSQL's NOTIFY, which makes notifying transactions commit one at a time).
 * Without it (Redis down, a signal lost) the poll alone delivers, `pollMs` late at worst.
 */
@Injectable()
export class DomainEventsRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DomainEventsRelay.name);
  private readonly options: DomainEventsRelayOptions;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private draining?: Promise<number>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly wakeUps: WakeUps,
    private readonly db: TenantDatabase,
    private readonly repository: DomainEventsRepository,
    private readonly consumers: DomainEventConsumers,
    @Optional() @Inject(DOMAIN_EVENTS_RELAY_OPTIONS) options?: Partial<DomainEventsRelayOptions>,
  ) {
    this.options = { ...DEFAULT_RELAY_OPTIONS, ...options };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.autoStart) return;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.unsubscribe = await this.wakeUps.subscribe(OUTBOX_WAKE_UP, () => this.wake());
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.draining?.catch(() => undefined);
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
        this.logger.warn({ error: (error as Error).message }, 'domain events: pass failed');
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

  /**
   * Delivers every deliverable event (events backing off after a failure wait for their time);
   * returns how many were delivered.
   */
  async drain(): Promise<number> {
    let total = 0;
    // Events that failed in this pass are not taken again before it ends, even when their
    // backoff is shorter than the pass: one failure per event and pass.
    const failed: string[] = [];
    for (;;) {
      const claimed: DomainEvent[] = [];
      try {
        total += await this.deliver(claimed, { except: failed });
      } catch (error) {
        // Nothing claimed: the database itself failed (the pass is retried on the next wake-up).
        if (claimed.length === 0) throw error;
        this.logger.warn(
          { error: (error as Error).message, events: claimed.length },
          'domain events: batch failed, delivering its events one by one',
        );
        for (const event of claimed) {
          const delivered = await this.deliverAlone(event);
          if (delivered === 0) failed.push(event.id);
          total += delivered;
        }
        if (this.stopped) return total;
        continue;
      }
      if (claimed.length < this.options.batchSize || this.stopped) return total;
    }
  }

  /**
   * Resolves once every deliverable event has been delivered (tests, `reindex`). The pass counts
   * as the relay's own (`draining`), so a wake-up meanwhile waits for it instead of
   * claiming events (SKIP LOCKED) that this pass would then skip and return without.
   */
  async flush(): Promise<number> {
    while (this.draining) await this.draining;
    const pass = this.drain();
    const tracked = pass.catch(() => 0);
    this.draining = tracked;
    try {
      return await pass;
    } finally {
      if (this.draining === tracked) this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    }
  }

  /** One batch: claim, every consumer, delete, commit, then the after-commit callbacks. */
  private async deliver(
    claimed: DomainEvent[],
    only: { id?: string; except?: readonly string[] },
  ): Promise<number> {
    const afterCommit: AfterCommit[] = [];
    await this.db.runAsSystem('outbox-relay', async (manager) => {
      const events = await this.repository.claim(manager, this.options.batchSize, only);
      claimed.push(...events);
      if (events.length === 0) return;
      for (const consumer of this.consumers.list()) {
        try {
          const after = await consumer.handle(manager, events);
          if (after) afterCommit.push(after);
        } catch (error) {
          throw new ConsumerFailedError(consumer.name, error);
        }
      }
      await this.repository.remove(
        manager,
        events.map((e) => e.id),
      );
    });
    for (const callback of afterCommit) {
      try {
        await callback();
      } catch (error) {
        // Committed already: an after-commit side effect (a realtime push) is best effort.
        this.logger.warn({ error: (error as Error).message }, 'domain events: after-commit failed');
      }
    }
    return claimed.length;
  }

  /** Retries one event of a failed batch; a failure counts an attempt (backoff, dead letter). */
  private async deliverAlone(event: DomainEvent): Promise<number> {
    try {
      return await this.deliver([], { id: event.id });
    } catch (error) {
      const message = (error as Error).message;
      const outcome = await this.db.runAsSystem('outbox-relay', (manager) =>
        this.repository.recordFailure(
          manager,
          event.id,
          message,
          this.options.retryAfterMs,
          this.options.maxAttempts,
        ),
      );
      const details = {
        eventId: event.eventId,
        type: event.type,
        organizationId: event.organizationId,
        attempts: outcome?.attempts,
        error: message,
      };
      if (outcome?.deadLettered) this.logger.error(details, 'domain event dead-lettered');
      else this.logger.warn(details, 'domain event delivery failed, will retry');
      return 0;
    }
  }
}

/** A consumer threw: names it in the logs and in the event's `last_error`. */
class ConsumerFailedError extends Error {
  constructor(consumer: string, cause: unknown) {
    super(`consumer ${consumer}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'ConsumerFailedError';
  }
}
