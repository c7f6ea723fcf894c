import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { OrganizationsServiceModule } from '../organizations';
import { SchedulerRunner } from './scheduler.runner';
import { SchedulesController } from './schedules.controller';
import { SchedulesRepository } from './schedules.repository';
import { SchedulesService } from './schedules.service';

/** See README.md in this folder. The API side: CRUD. */
@Module({
  imports: [AuditModule],
  controllers: [SchedulesController],
  providers: [SchedulesService, SchedulesRepository],
})
export class SchedulesModule {}

/**
 * The worker side: runs due schedules while this worker holds the scheduler lock. Imports
 * `OrganizationsServiceModule` for `OrganizationsService.archivedAmong` (archived organizations' runs
 * are skipped).
 */
@Module({
  imports: [OrganizationsServiceModule],
  providers: [SchedulerRunner, SchedulesRepository],
})
export class SchedulesWorkerModule {}
