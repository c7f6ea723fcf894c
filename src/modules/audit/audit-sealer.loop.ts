import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { AppConfig } from '../../core/config';
import { DirectListener, listenDirect } from '../../core/database';
import { AUDIT_SEAL_CHANNEL, AuditSealer } from './audit-sealer';

/** Tuning of the worker's sealer loop (tests shorten or stop it). */
export interface AuditSealerLoopOptions {
  /** Safety-net poll (ms): NOTIFY wakes the loop at once; this catches what it missed. */
  pollMs: number;
  /**
   * Retry delay (ms) while unsealed rows remain that are not sealable yet (a transaction older
   * than theirs is still running): short, so the tail stays well under a second.
   */
  retryMs: number;
  /** Start LISTEN and the poll on bootstrap (tests call `sealAll` themselves when false). */
  autoStart: boolean;
}

export const AUDIT_SEALER_LOOP_OPTIONS = Symbol('AUDIT_SEALER_LOOP_OPTIONS');

export const DEFAULT_SEALER_LOOP_OPTIONS: AuditSealerLoopOptions = {
  pollMs: 200,
  retryMs: 50,
  autoStart: true,
};

/**
 * The worker's sealer: listens on the channel domain_events (`AUDIT_SEAL_CHANNEL`: the outbox's wake-up, sent on
 * commit by nearly every audited write) plus a short poll (200 ms), each wake-up running one `AuditSealer.sealAll()` pass (wake-ups during a pass coalesce into
 * one more pass). While unsealed rows remain after a pass it retries after `retryMs`. Safe to run in
 * several workers at once (the sealer's per-chain lock); a worker killed mid-batch leaves that
 * batch rolled back for the next pass. LISTEN runs on its own client to `DATABASE_DIRECT_URL`
 * (`listenDirect`: PgBouncer in transaction pooling keeps no session).
 */
@Injectable()
export class AuditSealerLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditSealerLoop.name);
  private readonly options: AuditSealerLoopOptions;
  private listener?: DirectListener;
  private timer?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly sealer: AuditSealer,
    @Optional() @Inject(AUDIT_SEALER_LOOP_OPTIONS) options?: Partial<AuditSealerLoopOptions>,
  ) {
    this.options = { ...DEFAULT_SEALER_LOOP_OPTIONS, ...options };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.autoStart) return;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.listener = await listenDirect({
      directUrl: this.config.database.directUrl,
      channel: AUDIT_SEAL_CHANNEL,
      applicationName: 'alees audit sealer',
      onNotify: () => this.wake(),
      logger: this.logger,
    });
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    await this.running?.catch(() => undefined);
    await this.listener?.close();
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
