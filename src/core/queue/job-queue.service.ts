import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { ServiceUnavailableError } from '../http/errors';
import { SYSTEM_QUEUE } from './queue.constants';

const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * The producer side of the queues. Enqueueing waits at most 2 s: with Redis down the caller gets a
 * 503 envelope instead of a request that hangs.
 */
@Injectable()
export class JobQueue {
  constructor(@InjectQueue(SYSTEM_QUEUE) private readonly systemQueue: Queue) {}

  async enqueue<T extends object>(
    jobName: string,
    data: T,
    options: JobOptions = {},
  ): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ServiceUnavailableError('The job queue is unavailable; retry later', {
              dependency: 'redis',
            }),
          ),
        ENQUEUE_TIMEOUT_MS,
      );
    });
    try {
      const job = await Promise.race([this.systemQueue.add(jobName, data, options), timeout]);
      return String(job.id);
    } finally {
      clearTimeout(timer);
    }
  }

  async jobCounts(): Promise<Record<string, number>> {
    return { ...(await this.systemQueue.getJobCounts()) };
  }

  queue(): Queue {
    return this.systemQueue;
  }
}
