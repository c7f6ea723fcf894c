import { JobEffectEntity } from './job-effect.entity';

export { JobsModule, JobsWorkerModule } from './jobs.module';
export { JobsService } from './jobs.service';
export { JobRegistry } from './job-registry';
export { TaskDto, TaskStartedDto } from './task.dto';
export * from './job.types';
export { JobEffectEntity } from './job-effect.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const JOBS_ENTITIES = [JobEffectEntity];
