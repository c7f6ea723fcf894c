import { Global, Module } from '@nestjs/common';
import { OrganizationsServiceModule } from '../organizations';
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

/**
 * The worker side: the registry and the processor that runs every task job (it asks
 * organizations whether the job's organization is archived).
 */
@Global()
@Module({
  imports: [OrganizationsServiceModule],
  providers: [JobRegistry, JobsProcessor, JobEffectsRepository],
  exports: [JobRegistry],
})
export class JobsWorkerModule {}
