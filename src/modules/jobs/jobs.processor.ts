import { OnQueueCompleted, OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Logger, Optional } from '@nestjs/common';
import type { Job } from 'bull';
import { JOBS_QUEUE } from '../../core/queue';
import { TenantDatabase } from '../../core/tenancy';
import { RealtimePublisher } from '../realtime';
import { OrganizationsService } from '../organizations';
import { JobEffectsRepository } from './job-effects.repository';
import { JobsErrors } from './jobs.errors';
import { jobFailure } from './job-error';
import { JobRegistry } from './job-registry';
import type { JobContext, JobData } from './job.types';

/** Runs every task job in the worker through the handler registered for its name. */
@Processor(JOBS_QUEUE)
export class JobsProcessor {
  private readonly logger = new Logger(JobsProcessor.name);

  constructor(
    private readonly registry: JobRegistry,
    private readonly db: TenantDatabase,
    private readonly effects: JobEffectsRepository,
    private readonly organizations: OrganizationsService,
    @Optional() private readonly publisher?: RealtimePublisher,
  ) {}

  /** Tells the user who started a task that it ended (realtime `notification`). */
  private notify(job: Job<JobData>, state: 'completed' | 'failed'): void {
    if (!job.data.userId) return;
    this.publisher?.notify(job.data.organizationId, job.data.userId, {
      kind: 'task.finished',
      taskId: String(job.id),
      name: job.data.name,
      state,
    });
  }

  @OnQueueCompleted()
  onCompleted(job: Job<JobData>): void {
    this.notify(job, 'completed');
  }

  private async isArchived(organizationId: string): Promise<boolean> {
    const archived = await this.db.runAsSystem('background-jobs', (manager) =>
      this.organizations.archivedAmong(manager, [organizationId]),
    );
    return archived.size > 0;
  }

  @Process({ concurrency: 4 })
  async run(job: Job<JobData>): Promise<unknown> {
    const handler = this.registry.get(job.data.name);
    if (!handler) {
      this.logger.error({ taskId: job.id, name: job.data.name }, 'no handler for this task');
      throw jobFailure(new Error(`No handler for task "${job.data.name}" in this worker`));
    }
    if (!handler.definition.runsWhenArchived && (await this.isArchived(job.data.organizationId))) {
      // Read-only until restored, like every write route: fail once, no retry.
      await job.discard();
      throw jobFailure(JobsErrors.organization_archived(job.data.organizationId));
    }
    const taskId = String(job.id);
    const context: JobContext<object> = {
      taskId,
      payload: job.data.payload,
      organizationId: job.data.organizationId,
      userId: job.data.userId,
      attempt: job.attemptsMade + 1,
      progress: async (percent) => {
        await job.progress(Math.max(0, Math.min(100, Math.round(percent))));
      },
      once: (key, work) => this.once(taskId, key, work),
    };
    this.logger.log({ taskId, name: job.data.name, attempt: context.attempt }, 'task started');
    try {
      return await handler.run(context);
    } catch (error) {
      // The cause stays in the log; the job keeps only its enveloped code (GET /tasks/{id}).
      this.logger.warn(
        { taskId, name: job.data.name, attempt: context.attempt, err: error },
        'task attempt failed: cause',
      );
      throw jobFailure(error);
    }
  }

  @OnQueueFailed()
  onFailed(job: Job<JobData>, error: Error): void {
    this.logger.warn(
      { taskId: job.id, name: job.data.name, attempt: job.attemptsMade, error: error.message },
      'task attempt failed',
    );
    // Only the last attempt's failure is final.
    if (job.attemptsMade >= (job.opts.attempts ?? 1)) this.notify(job, 'failed');
  }

  private once<T>(
    taskId: string,
    key: string,
    work: Parameters<JobContext<object>['once']>[1],
  ): Promise<T> {
    const effectKey = `${taskId}:${key}`;
    // A job's side effects may span tables and organizations (imports, exports, offboarding), and
    // task_effects has no organization: the job runner's system transaction, as before issue 16.
    return this.db.runAsSystem('background-jobs', async (manager) => {
      if (!(await this.effects.claim(manager, effectKey, taskId))) {
        return this.effects.result<T>(manager, effectKey);
      }
      const result = (await work(manager)) as T;
      await this.effects.storeResult(manager, effectKey, result);
      return result;
    });
  }
}
