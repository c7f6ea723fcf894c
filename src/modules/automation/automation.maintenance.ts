import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../../core/clock';
import { TenantDatabase } from '../../core/tenancy';
import { JobsService } from '../jobs';
import { AUTOMATION_RUN } from './automation.jobs';
import { AutomationRepository } from './automation.repository';

/** How often the worker sweeps (hourly). */
export const AUTOMATION_SWEEP_INTERVAL_MS = 60 * 60_000;
/** Runs are kept this long (SPEC-P3 §8 "runs are kept 90 days"). */
export const AUTOMATION_RUN_RETENTION_DAYS = 90;
/** A run still `queued` this long after it was recorded lost its job (see below). */
const STUCK_AFTER_MS = 10 * 60_000;
const BATCH = 1_000;

/**
 * The automation runs' housekeeping (worker; the sweeper pattern of activities and notification
 * e-mails, since it spans every organization and must exist without anyone scheduling it):
 * deletes runs older than 90 days, in batches, and re-enqueues runs left `queued` for more than
 * 10 minutes (the relay committed them but Redis refused the job; the job id is the run id, so a
 * job still waiting in Bull is not duplicated).
 */
@Injectable()
export class AutomationMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AutomationMaintenance.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: AutomationRepository,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: Error) => this.logger.warn(`automation sweep: ${error.message}`));
    }, AUTOMATION_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; resolves to the runs deleted and re-enqueued. */
  async sweep(): Promise<{ deleted: number; requeued: number }> {
    const now = this.clock.now().getTime();
    const before = new Date(now - AUTOMATION_RUN_RETENTION_DAYS * 24 * 60 * 60_000);
    let deleted = 0;
    for (;;) {
      const n = await this.db.runAsSystem('background-jobs', (manager) =>
        this.repository.deleteRunsBefore(manager, before, BATCH),
      );
      deleted += n;
      if (n < BATCH) break;
    }
    const stuck = await this.db.runAsSystem('background-jobs', (manager) =>
      this.repository.stuckRuns(manager, new Date(now - STUCK_AFTER_MS), BATCH),
    );
    for (const run of stuck) {
      await this.jobs.start(
        AUTOMATION_RUN,
        { runId: run.id },
        run.organization_id,
        { actorUserId: null, actorApiKeyId: null, requestId: run.id, ip: null },
        { dedupeKey: run.id },
      );
    }
    return { deleted, requeued: stuck.length };
  }
}
