import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queue } from 'bull';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../core/clock';
import { addWithTimeout, JOBS_QUEUE } from '../../core/queue';
import { TenantDatabase } from '../../core/tenancy';
import type { JobData } from '../jobs';
import { OrganizationsService } from '../organizations';
import { SCHEDULABLE_JOBS } from './schedulable-jobs';
import { nextRun } from './schedule-rules';
import { SchedulesRepository } from './schedules.repository';

/** The one lease row whose holder runs the schedules of the installation. */
const LEASE = 'scheduler';
/**
 * How long a lease lasts without renewal (ms). The leader renews it every tick (1 s), so a leader
 * that dies without releasing it (crash, lost network) is replaced within this time.
 */
export const SCHEDULER_LEASE_MS = 10_000;
const TICK_MS = 1_000;
const BATCH = 100;

/**
 * Runs due schedules, in exactly one worker at a time. Leadership is a lease row
 * (`scheduler_leases`) with an expiry by the database clock: every tick, in one
 * `runAsSystem('scheduler')` transaction, the worker takes or renews the lease and, only if it
 * holds it, claims and enqueues what is due. The lease row stays locked until that transaction
 * commits, so a worker paused past its lease can never run a tick another worker already took
 * over. A graceful shutdown deletes the lease (the next worker takes over on its next tick); a
 * crashed leader's lease expires after `SCHEDULER_LEASE_MS`. Each run is enqueued with the job id
 * `schedule:<id>:<planned time>`, so even an overlap during a handover cannot run a tick twice.
 * Schedules of an archived (read-only) organization are not run: their next run moves on as if
 * missed, so they resume after a restore.
 *
 * Why a lease and not a session advisory lock on a dedicated connection (issue 21): the lock needs
 * a connection held open for the leader's lifetime, which PgBouncer in transaction pooling cannot
 * give (the lock would stay on a server connection other clients then use); a direct connection
 * beside the pooler would cost one PostgreSQL backend per worker and a second network path to
 * keep open. The lease needs neither: short transactions like every other query.
 */
@Injectable()
export class SchedulerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SchedulerRunner.name);
  /** Who this worker is in `scheduler_leases.holder`. */
  private readonly holder = `${hostname().slice(0, 100)}:${process.pid}:${randomUUID()}`;
  /** Local time (ms) until which this worker's lease surely holds; undefined when not leader. */
  private leaseUntil?: number;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopped = false;

  constructor(
    private readonly db: TenantDatabase,
    private readonly schedules: SchedulesRepository,
    private readonly organizations: OrganizationsService,
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue<JobData>,
    private readonly clock: Clock,
  ) {}

  /** Whether this worker currently runs the schedules (its last renewed lease has not run out). */
  get isLeader(): boolean {
    return this.leaseUntil !== undefined && Date.now() < this.leaseUntil;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.ticking) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.resign();
  }

  /** One pass: take or renew the lease, then enqueue what is due, in one transaction. Never throws. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const startedAt = Date.now();
      const wasLeader = this.isLeader;
      const leads = await this.db.runAsSystem('scheduler', async (manager) => {
        if (!(await this.schedules.takeLease(manager, LEASE, this.holder, SCHEDULER_LEASE_MS)))
          return false;
        await this.runDue(manager);
        return true;
      });
      this.leaseUntil = leads ? startedAt + SCHEDULER_LEASE_MS : undefined;
      if (leads && !wasLeader) this.logger.log('this worker now runs the schedules');
      if (!leads && wasLeader) this.logger.warn('this worker lost the scheduler lease');
    } catch (error) {
      this.leaseUntil = undefined;
      this.logger.warn({ error: (error as Error).message }, 'scheduler tick failed');
    } finally {
      this.ticking = false;
    }
  }

  private async resign(): Promise<void> {
    if (this.leaseUntil === undefined) return;
    this.leaseUntil = undefined;
    try {
      await this.db.runAsSystem('scheduler', (manager) =>
        this.schedules.releaseLease(manager, LEASE, this.holder),
      );
    } catch (error) {
      // The lease expires by itself.
      this.logger.warn({ error: (error as Error).message }, 'scheduler lease not released');
    }
  }

  private async runDue(manager: EntityManager): Promise<void> {
    const now = this.clock.now();
    const due = await this.schedules.claimDue(manager, now, BATCH);
    const archived = await this.organizations.archivedAmong(manager, [
      ...new Set(due.map((schedule) => schedule.organization_id)),
    ]);
    for (const schedule of due) {
      const planned = new Date(schedule.next_run_at);
      const rule = { cron: schedule.cron, intervalSeconds: schedule.interval_seconds };
      if (archived.has(schedule.organization_id)) {
        // Read-only organization: skip this run like one missed during downtime.
        await this.schedules.advance(
          manager,
          schedule.organization_id,
          schedule.id,
          null,
          nextRun(rule, now, planned),
        );
        continue;
      }
      const definition = SCHEDULABLE_JOBS.find((t) => t.name === schedule.task_name);
      const jobId = await addWithTimeout(
        this.queue,
        {
          name: schedule.task_name,
          payload: schedule.payload,
          organizationId: schedule.organization_id,
          userId: null,
          apiKeyId: null,
          requestId: null,
        },
        {
          jobId: `schedule:${schedule.id}:${planned.getTime()}`,
          attempts: definition?.attempts ?? 4,
          backoff: { type: 'exponential', delay: definition?.backoffMs ?? 1_000 },
          removeOnComplete: 10_000,
          removeOnFail: false,
        },
      );
      await this.schedules.advance(
        manager,
        schedule.organization_id,
        schedule.id,
        { at: planned, taskId: jobId },
        nextRun(rule, now, planned),
      );
    }
  }
}
