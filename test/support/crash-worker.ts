/**
 * A worker process for the crash test: it registers `test.crash`, reports when a job starts, and
 * never finishes it — the test then SIGKILLs this process mid-job. Configured only by env.
 */
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { createWorkerApplication } from '../../src/bootstrap';
import { loadConfig } from '../../src/core/config/load-config';
import { defineTask, TaskHandler, TaskRegistry } from '../../src/modules/tasks';

@Injectable()
class HangingTask implements TaskHandler, OnModuleInit {
  readonly definition = defineTask({ name: 'test.crash' });
  constructor(private readonly registry: TaskRegistry) {}
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
