export { TasksModule, TasksWorkerModule } from './tasks.module';
export { TasksService } from './tasks.service';
export { TaskRegistry } from './task-registry';
export { TaskDto, TaskStartedDto } from './task.dto';
export * from './task.types';
