import { TaskEffectEntity } from './task-effect.entity';

export { TasksModule, TasksWorkerModule } from './tasks.module';
export { TasksService } from './tasks.service';
export { TaskRegistry } from './task-registry';
export { TaskDto, TaskStartedDto } from './task.dto';
export * from './task.types';
export { TaskEffectEntity } from './task-effect.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const TASKS_ENTITIES = [TaskEffectEntity];
