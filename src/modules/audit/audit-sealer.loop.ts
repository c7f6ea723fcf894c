import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { WakeUps } from '../../core/redis';
import { AUDIT_SEAL_CHANNEL, AuditSealer } from './audit-sealer';

/** Tuning of the worker's sealer loop (tests shorten or stop it). */
export interface AuditSealerLoopOptions {
  /** Safety-net poll (ms): the outbox wake-up wakes the loop at once; this catches what it missed. */
  pollMs: number;
  /**
   * Retry delay (ms) while unsealed rows remain that are not sealable yet (a transaction older
   * than theirs is still running): short, so the tail stays well under a second.
   */
  retryMs: number;
  /** Subscribe and start the poll on bootstrap (tests call `sealAll` themselves when false). */
  autoStart: boolean;
}

export const AUDIT_SEALER_LOOP_OPTIONS = Symbol('AUDIT_SEALER_LOOP_OPTIONS');

export const DEFAULT_SEALER_LOOP_OPTIONS: AuditSealerLoopOptions = {
  pollMs: 200,
  retryMs: 50,
  autoStart: true,
};

/**
 * The worker's sealer: subscribes to `AUDIT_SEAL_CHANNEL` (the outbox's Redis wake-up, sent after
 * commit by nearly every audited write) plus a short poll (200 ms), each wake-up running one
 * `AuditSealer.sealAll()` pass (wake-ups during a pass coalesce into one more pass). While unsealed
 * rows remain after a pass it retries after `retryMs`. Safe to run in several workers at once (the
 * sealer's per-chain lock); a worker killed mid-batch leaves that batch rolled back for the next
 * pass.
 */
@Injectable()
export class AuditSealerLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditSealerLoop.name);
  private readonly options: AuditSealerLoopOptions;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly wakeUps: WakeUps,
    private readonly sealer: AuditSealer,
    @Optional() @Inject(AUDIT_SEALER_LOOP_OPTIONS) options?: Partial<AuditSealerLoopOptions>,
  ) {
    this.options = { ...DEFAULT_SEALER_LOOP_OPTIONS, ...options };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.autoStart) return;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.unsubscribe = await this.wakeUps.subscribe(AUDIT_SEAL_CHANNEL, () => this.wake());
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    this.unsubscribe?.();
    await this.running?.catch(() => undefined);
  }

  /** Runs a pass now, or once more right after the pass under way. */
  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => {
        this.logger.warn({ error: (error as Error).message }, 'audit sealer: pass failed');
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async pass(): Promise<void> {
    await this.sealer.sealAll();
    const tail = await this.sealer.unsealedTail(null);
    if (tail.count > 0 && !this.stopped) {
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.wake(), this.options.retryMs);
    }
  }
}
