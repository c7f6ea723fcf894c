import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { PingJobData, PingJobResult, SYSTEM_QUEUE, SystemJobs } from './queue.constants';

/** Registered by the worker entry only. Pure: safe to run twice for the same job. */
@Processor(SYSTEM_QUEUE)
export class SystemPingProcessor {
  private readonly logger = new Logger(SystemPingProcessor.name);

  @Process(SystemJobs.ping)
  handlePing(job: Job<PingJobData>): PingJobResult {
    this.logger.log({ jobId: job.id, requestId: job.data.requestId }, 'ping processed');
    return {
      pong: true,
      requestedAt: job.data.requestedAt,
      processedAt: new Date().toISOString(),
      processedBy: 'worker',
      pid: process.pid,
    };
  }
}
