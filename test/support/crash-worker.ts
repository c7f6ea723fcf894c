/**
 * A worker process for the crash test: it registers `test.crash`, reports when a job starts, and
 * never finishes it — the test then SIGKILLs this process mid-job. Configured only by env.
 */
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { createWorkerApplication } from '../../src/bootstrap';
import { loadConfig } from '../../src/core/config/load-config';
import { defineJob, JobHandler, JobRegistry } from '../../src/modules/jobs';

@Injectable()
class HangingTask implements JobHandler, OnModuleInit {
  readonly definition = defineJob({ name: 'test.crash' });
  constructor(private readonly registry: JobRegistry) {}
  onModuleInit(): void {
    this.registry.register(this);
  }
  run(): Promise<never> {
    process.send?.('started');
    return new Promise<never>(() => undefined);
  }
}

@Module({ providers: [HangingTask] })
class HangingModule {}

void createWorkerApplication(loadConfig(process.env), undefined, [HangingModule]).then(() =>
  process.send?.('ready'),
);
