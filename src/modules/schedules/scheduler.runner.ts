import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource, QueryRunner } from 'typeorm';
import { Clock } from '../../core/clock';
import { addWithTimeout, JOBS_QUEUE } from '../../core/queue';
import { TenantDatabase } from '../../core/tenancy';
import type { JobData } from '../jobs';
import { OrganizationsService } from '../organizations';
import { SCHEDULABLE_JOBS } from './schedulable-jobs';
import { nextRun } from './schedule-rules';
import { SchedulesRepository } from './schedules.repository';

/** Arbitrary, fixed: the advisory lock whose holder is the one scheduler of the installation. */
const LEADER_LOCK = 7_146_221_001;
const TICK_MS = 1_000;
const BATCH = 100;

/**
 * Runs due schedules, in exactly one worker at a time. Leadership is a PostgreSQL session advisory
 * lock held on a dedicated connection: when the leader dies its connection closes, the lock is
 * released, and another worker takes it on its next tick. Each run is enqueued with the job id
 * `schedule:<id>:<planned time>`, so even an overlap during a handover cannot run a tick twice.
 * Schedules of an archived (read-only) organization are not run: their next run moves on as if
 * missed, so they resume after a restore. The raw `DataSource` is only for the leader lock: a
 * session advisory lock needs a connection of its own held outside any transaction, which
 * `TenantDatabase` does not offer; the schedules themselves go through `runAsSystem('scheduler')`.
 */
@Injectable()
export class SchedulerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SchedulerRunner.name);
  private lockConnection?: QueryRunner;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly db: TenantDatabase,
    private readonly schedules: SchedulesRepository,
    private readonly organizations: OrganizationsService,
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue<JobData>,
    private readonly clock: Clock,
  ) {}

  /** Whether this worker currently runs the schedules. */
  get isLeader(): boolean {
    return this.lockConnection !== undefined;
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

  /** One pass: make sure of leadership, then enqueue what is due. Never throws. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      if (await this.lead()) await this.runDue();
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'scheduler tick failed');
    } finally {
      this.ticking = false;
    }
  }

  private async lead(): Promise<boolean> {
    if (this.lockConnection) {
      try {
        await this.lockConnection.query('SELECT 1'); // still connected, so still holding the lock
        return true;
      } catch {
        await this.resign();
      }
    }
    const connection = this.dataSource.createQueryRunner();
    try {
      const [{ locked }] = (await connection.query('SELECT pg_try_advisory_lock($1) AS locked', [
        LEADER_LOCK,
      ])) as { locked: boolean }[];
      if (!locked) {
        await connection.release();
        return false;
      }
      this.lockConnection = connection;
      this.logger.log('this worker now runs the schedules');
      return true;
    } catch (error) {
      await connection.release();
      throw error;
    }
  }

  private async resign(): Promise<void> {
    const connection = this.lockConnection;
    this.lockConnection = undefined;
    if (!connection) return;
    try {
      await connection.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]);
    } catch {
      // The connection is gone, and the lock with it.
    }
    await connection.release();
  }

  private async runDue(): Promise<void> {
    const now = this.clock.now();
    await this.db.runAsSystem('scheduler', async (manager) => {
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
    });
  }
}
