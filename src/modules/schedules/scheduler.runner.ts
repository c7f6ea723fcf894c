import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource, QueryRunner } from 'typeorm';
import { Clock } from '../../core/clock';
import { addWithTimeout, JOBS_QUEUE } from '../../core/queue';
import type { JobData } from '../jobs';
import { SCHEDULABLE_JOBS } from './schedulable-jobs';
import { nextRun } from './schedule-rules';

/** Arbitrary, fixed: the advisory lock whose holder is the one scheduler of the installation. */
const LEADER_LOCK = 7_146_221_001;
const TICK_MS = 1_000;
const BATCH = 100;

interface DueRow {
  id: string;
  organization_id: string;
  task_name: string;
  payload: Record<string, unknown>;
  cron: string | null;
  interval_seconds: number | null;
  next_run_at: Date;
}

/**
 * Runs due schedules, in exactly one worker at a time. Leadership is a PostgreSQL session advisory
 * lock held on a dedicated connection: when the leader dies its connection closes, the lock is
 * released, and another worker takes it on its next tick. Each run is enqueued with the job id
 * `schedule:<id>:<planned time>`, so even an overlap during a handover cannot run a tick twice.
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
    await this.dataSource.transaction(async (manager) => {
      const due = await manager.query<DueRow[]>(
        `SELECT id, organization_id, task_name, payload, cron, interval_seconds, next_run_at
           FROM schedules WHERE enabled AND next_run_at <= $1
          ORDER BY next_run_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [now],
      );
      for (const schedule of due) {
        const planned = new Date(schedule.next_run_at);
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
        await manager.query(
          `UPDATE schedules SET last_run_at = $2, last_task_id = $3, next_run_at = $4 WHERE id = $1`,
          [
            schedule.id,
            planned,
            jobId,
            nextRun(
              { cron: schedule.cron, intervalSeconds: schedule.interval_seconds },
              now,
              planned,
            ),
          ],
        );
      }
    });
  }
}
