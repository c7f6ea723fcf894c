import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config';
import { JobQueue } from './job-queue.service';
import { SYSTEM_QUEUE, JOBS_QUEUE } from './queue.constants';

/**
 * Bull on Redis DB `REDIS_QUEUE_DB` (0). Both entries import this module: the API only produces
 * (`JobQueue`), the worker also registers processors.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        redis: {
          host: config.redis.host,
          port: config.redis.port,
          password: config.redis.password,
          db: config.redis.queueDb,
        },
        prefix: `${config.redis.keyPrefix}bull`,
        // A worker that dies mid-job loses its lock after lockDuration; another worker then
        // finds the job stalled and runs it again (up to maxStalledCount times).
        settings: {
          lockDuration: config.queue.lockDurationMs,
          stalledInterval: config.queue.lockDurationMs,
          maxStalledCount: 2,
        },
        defaultJobOptions: {
          attempts: 4,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: 1_000,
          removeOnFail: false,
        },
      }),
    }),
    BullModule.registerQueue({ name: SYSTEM_QUEUE }, { name: JOBS_QUEUE }),
  ],
  providers: [JobQueue],
  exports: [BullModule, JobQueue],
})
export class QueueModule {}
