import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { SchedulerRunner } from './scheduler.runner';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

/** See README.md in this folder. The API side: CRUD. */
@Module({
  imports: [AuditModule],
  controllers: [SchedulesController],
  providers: [SchedulesService],
})
export class SchedulesModule {}

/** The worker side: runs due schedules while this worker holds the scheduler lock. */
@Module({ providers: [SchedulerRunner] })
export class SchedulesWorkerModule {}
