import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { ActivitiesServiceModule } from '../activities';
import { CommentsServiceModule } from '../comments';
import { AuditModule } from '../audit';
import { FollowersServiceModule } from '../followers';
import { JobsService } from '../jobs';
import { MailModule } from '../mail';
import { MemberDirectoryModule } from '../memberships';
import { NotificationsServiceModule } from '../notifications';
import { TagsServiceModule } from '../tags';
import { OwnedSchedulesModule } from '../schedules';
import { GenericActionsRegistration } from './actions/generic-actions';
import { RecordFields } from './actions/record-fields';
import { AutomationConditions } from './automation-conditions';
import {
  AutomationCatalogController,
  AutomationRulesController,
  AutomationRunsController,
} from './automation.controller';
import { AutomationEventConsumer } from './automation.consumer';
import { AutomationMaintenance } from './automation.maintenance';
import { AutomationDateSweep } from './automation-date-sweep';
import { AutomationRepository } from './automation.repository';
import { AutomationRulesCache } from './automation-rules.cache';
import { AutomationRulesService } from './automation-rules.service';
import { AutomationRunsService } from './automation-runs.service';
import { AutomationRunner } from './automation.runner';
import { RunAsResolver } from './run-as-resolver';

/** What the generic actions and the run-as resolution need, in the API and the worker. */
const ACTION_IMPORTS = [
  AccessModule,
  MemberDirectoryModule,
  TagsServiceModule,
  FollowersServiceModule,
  NotificationsServiceModule,
  MailModule,
  CommentsServiceModule,
  ActivitiesServiceModule,
];
const SHARED_PROVIDERS = [
  AutomationRepository,
  AutomationConditions,
  RecordFields,
  RunAsResolver,
  GenericActionsRegistration,
];

/** See README.md in this folder. The API side: rules, runs, catalog, dry and manual runs. */
@Module({
  imports: [AuditModule, OwnedSchedulesModule, ...ACTION_IMPORTS],
  controllers: [AutomationRulesController, AutomationRunsController, AutomationCatalogController],
  providers: [...SHARED_PROVIDERS, AutomationRulesService, AutomationRunsService],
})
export class AutomationModule {}

/**
 * The worker side: the `automation` domain-event consumer, the `automation.run` job handler and
 * the runs' housekeeping. `JobsService` enqueues runs after the relay's commit (the worker has
 * the queue but not the API's global JobsModule).
 */
@Module({
  imports: ACTION_IMPORTS,
  providers: [
    ...SHARED_PROVIDERS,
    JobsService,
    AutomationRulesCache,
    AutomationEventConsumer,
    AutomationRunner,
    AutomationMaintenance,
    AutomationDateSweep,
  ],
  exports: [AutomationEventConsumer, AutomationMaintenance, AutomationDateSweep],
})
export class AutomationWorkerModule {}
