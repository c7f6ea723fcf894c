import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { NotificationsServiceModule } from '../notifications';
import { ApplyTransitionAction } from './apply-transition.action';
import { WorkflowNotificationsConsumer } from './workflow-notifications.consumer';
import { WorkflowInstancesService } from './workflow-instances.service';
import { WorkflowWriteGuard } from './workflow-write-guard';
import {
  WorkflowActionsController,
  WorkflowInstancesController,
  WorkflowsController,
} from './workflows.controller';
import { WorkflowsRepository } from './workflows.repository';
import { WorkflowsService } from './workflows.service';

/**
 * The services, the write guard and the `apply_transition` action, for the API and the worker
 * (the guard must watch every process that writes records: imports run in the worker).
 */
@Module({
  imports: [AuditModule],
  providers: [
    WorkflowsRepository,
    WorkflowWriteGuard,
    WorkflowsService,
    WorkflowInstancesService,
    ApplyTransitionAction,
  ],
  exports: [WorkflowsRepository, WorkflowsService, WorkflowInstancesService],
})
export class WorkflowsServiceModule {}

/** See README.md in this folder. The API side: the routes. */
@Module({
  imports: [WorkflowsServiceModule],
  controllers: [WorkflowsController, WorkflowInstancesController, WorkflowActionsController],
})
export class WorkflowsModule {}

/** The worker side: `workflow.action_required` notifications from `workflow.transitioned`. */
@Module({
  imports: [WorkflowsServiceModule, NotificationsServiceModule],
  providers: [WorkflowNotificationsConsumer],
})
export class WorkflowsWorkerModule {}
