import { Global, Module } from '@nestjs/common';
import { JobEffectsRepository } from './job-effects.repository';
import { JobRegistry } from './job-registry';
import { TasksController } from './tasks.controller';
import { JobsProcessor } from './jobs.processor';
import { JobsService } from './jobs.service';

/** See README.md in this folder. Global: any module may start tasks or register handlers. */
@Global()
@Module({
  controllers: [TasksController],
  providers: [JobsService, JobRegistry],
  exports: [JobsService, JobRegistry],
})
export class JobsModule {}

/** The worker side: the registry and the processor that runs every task job. */
@Global()
@Module({
  providers: [JobRegistry, JobsProcessor, JobEffectsRepository],
  exports: [JobRegistry],
})
export class JobsWorkerModule {}
