import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { NotFoundError } from '../../core/http';
import { DEFAULT_LANGUAGE, Language } from '../../core/i18n';
import { addWithTimeout, JOBS_QUEUE } from '../../core/queue';
import { jobErrorEnvelope } from './job-error';
import type { TaskDto, TaskState } from './task.dto';
import type { JobDefinition, JobData } from './job.types';

const STATES: Record<string, TaskState> = {
  waiting: 'queued',
  delayed: 'queued',
  paused: 'queued',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

/** Starts tasks (the API side) and reports their state to whoever started them. */
@Injectable()
export class JobsService {
  constructor(@InjectQueue(JOBS_QUEUE) private readonly queue: Queue<JobData>) {}

  /**
   * Enqueues a task for the caller's organization and returns its id. A `dedupeKey` makes the
   * id deterministic: starting the same work twice while the first is kept returns the first.
   * `delayMs` holds the job back that long (automation rules' delay).
   */
  async start<P extends object>(
    definition: JobDefinition<P>,
    payload: P,
    organizationId: string,
    context: AuditContext,
    options: { dedupeKey?: string; delayMs?: number } = {},
  ): Promise<string> {
    const data: JobData<P> = {
      name: definition.name,
      payload,
      organizationId,
      userId: context.actorUserId,
      apiKeyId: context.actorApiKeyId,
      requestId: context.requestId,
    };
    return addWithTimeout(this.queue, data, {
      jobId: options.dedupeKey
        ? `${definition.name}:${organizationId}:${options.dedupeKey}`
        : uuidv7(),
      attempts: definition.attempts ?? 4,
      backoff: { type: 'exponential', delay: definition.backoffMs ?? 1_000 },
      ...(options.delayMs ? { delay: options.delayMs } : {}),
      removeOnComplete: 10_000,
      removeOnFail: false,
    });
  }

  /**
   * The task, only for the organization and user (or API key) that started it; else 404. Its
   * `error` is an error envelope with details in `language` (never the raw failure text).
   */
  async get(
    id: string,
    organizationId: string,
    context: AuditContext,
    language: Language = DEFAULT_LANGUAGE,
  ): Promise<TaskDto> {
    const found = await this.queue.getJob(id);
    const data = found?.data;
    if (
      !found ||
      !data ||
      data.organizationId !== organizationId ||
      data.userId !== context.actorUserId ||
      data.apiKeyId !== context.actorApiKeyId
    ) {
      throw new NotFoundError('Task');
    }
    const state = STATES[await found.getState()] ?? 'queued';
    // The job may have finished between the read above and getState: then read its final fields.
    const job: Job<JobData> =
      state === 'completed' || state === 'failed'
        ? ((await this.queue.getJob(id)) ?? found)
        : found;
    const progress = typeof job.progress() === 'number' ? (job.progress() as number) : 0;
    return {
      id: String(job.id),
      name: data.name,
      state,
      progress: state === 'completed' ? 100 : progress,
      attempts: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      result: state === 'completed' ? ((job.returnvalue as unknown) ?? null) : null,
      error: jobErrorEnvelope(job.failedReason, language),
      createdAt: new Date(job.timestamp).toISOString(),
      startedAt: job.processedOn ? new Date(job.processedOn).toISOString() : null,
      finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    };
  }
}
