import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { ServiceUnavailableError } from '../http/errors';
import { SYSTEM_QUEUE } from './queue.constants';

const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * `queue.add` that gives up after 2 s: with Redis down the caller gets a 503 envelope instead of
 * a request that hangs (Bull would otherwise wait for the connection forever).
 */
export async function addWithTimeout<T extends object>(
  queue: Queue,
  data: T,
  options: JobOptions & { name?: string } = {},
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
    const { name, ...jobOptions } = options;
    const adding = name ? queue.add(name, data, jobOptions) : queue.add(data, jobOptions);
    const job = await Promise.race([adding, timeout]);
    return String(job.id);
  } finally {
    clearTimeout(timer);
  }
}

/** The producer side of the system queue (enqueueing waits at most 2 s, then 503). */
@Injectable()
export class JobQueue {
  constructor(@InjectQueue(SYSTEM_QUEUE) private readonly systemQueue: Queue) {}

  enqueue<T extends object>(jobName: string, data: T, options: JobOptions = {}): Promise<string> {
    return addWithTimeout(this.systemQueue, data, { ...options, name: jobName });
  }

  async jobCounts(): Promise<Record<string, number>> {
    return { ...(await this.systemQueue.getJobCounts()) };
  }

  queue(): Queue {
    return this.systemQueue;
  }
}
