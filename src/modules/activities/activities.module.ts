import { TimelineSourcesModule } from '../timeline';
import { ActivityTimelineSource } from './activity-timeline';
import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { OrganizationsServiceModule } from '../organizations';
import { UserAccountsModule, UsersModule } from '../users';
import { ActivitiesController, MyActivitiesController } from './activities.controller';
import { ActivitiesRepository } from './activities.repository';
import { ActivitiesService, ActivityChildrenRegistration } from './activities.service';
import { ActivityOverdueSweeper } from './activity-overdue.sweeper';

/** See README.md in this folder. */
@Module({
  imports: [
    AuditModule,
    AccessModule,
    UsersModule,
    OrganizationsServiceModule,
    TimelineSourcesModule,
  ],
  controllers: [ActivitiesController, MyActivitiesController],
  providers: [
    ActivitiesService,
    ActivitiesRepository,
    ActivityChildrenRegistration,
    ActivityTimelineSource,
  ],
  exports: [ActivitiesService],
})
export class ActivitiesModule {}

/**
 * `ActivitiesService` without the routes, loadable in the worker (automation's
 * `create_activity`): the same service, with only what it injects.
 */
@Module({
  imports: [AuditModule, AccessModule, UserAccountsModule, OrganizationsServiceModule],
  providers: [ActivitiesService, ActivitiesRepository],
  exports: [ActivitiesService],
})
export class ActivitiesServiceModule {}

/**
 * The worker side: the daily `activity.overdue` sweep (publishes domain events; needs the
 * organizations' time zones and archive state).
 */
@Module({
  imports: [OrganizationsServiceModule],
  providers: [ActivitiesRepository, ActivityOverdueSweeper],
  exports: [ActivityOverdueSweeper],
})
export class ActivitiesWorkerModule {}
