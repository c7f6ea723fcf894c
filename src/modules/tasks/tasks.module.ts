import { Global, Module } from '@nestjs/common';
import { TaskRegistry } from './task-registry';
import { TasksController } from './tasks.controller';
import { TasksProcessor } from './tasks.processor';
import { TasksService } from './tasks.service';

/** See README.md in this folder. Global: any module may start tasks or register handlers. */
@Global()
@Module({
  controllers: [TasksController],
  providers: [TasksService, TaskRegistry],
  exports: [TasksService, TaskRegistry],
})
export class TasksModule {}

/** The worker side: the registry and the processor that runs every task job. */
@Global()
@Module({
  providers: [TaskRegistry, TasksProcessor],
  exports: [TaskRegistry],
})
export class TasksWorkerModule {}
