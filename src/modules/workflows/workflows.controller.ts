import { Body, Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  ListScope,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import {
  ActionRoute,
  ApiListQuery,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  ListRoute,
  Page,
  PageOf,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  ApplyTransitionDto,
  PendingWorkflowActionDto,
  WorkflowInstanceDto,
} from './dto/workflow-instance.dto';
import { CreateWorkflowDto, UpdateWorkflowDto, WorkflowDto } from './dto/workflow.dto';
import { PENDING_ACTIONS_LIST, WorkflowInstancesService } from './workflow-instances.service';
import { WORKFLOW_LIST, WorkflowsService } from './workflows.service';

/** Workflow definitions (README "Routes"). */
@ApiTags('workflows')
@ApiNotFoundResponse({
  description: 'No such workflow in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('workflows')
export class WorkflowsController {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute('workflows:read', 'Workflow definitions (every revision)', WORKFLOW_LIST, WorkflowDto)
  async list(
    @ActiveOrganization() orgId: string,
    @ListScope() scope: ListScope,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<WorkflowDto>> {
    return this.workflows.list(orgId, await this.lists.resolve(WORKFLOW_LIST, raw, scope));
  }

  @CreateRoute(
    'workflows',
    'workflows:create',
    'Add a draft workflow (states and transitions in the body)',
    WorkflowDto,
  )
  @ApiUnprocessableEntityResponse({
    description: '`unknown_entity_type`, `invalid_workflow` (one error per problem, with pointers)',
    type: ErrorEnvelopeDto,
  })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateWorkflowDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<WorkflowDto> {
    return this.workflows.create(orgId, dto, context);
  }

  @ReadRoute('workflows:read', 'One workflow with its states and transitions (ETag)', WorkflowDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<WorkflowDto> {
    return this.workflows.get(orgId, id);
  }

  @UpdateRoute(
    'workflows:update',
    'Change a draft (states and transitions replace the graph)',
    WorkflowDto,
  )
  @ApiConflictResponse({ description: '`workflow_not_draft`', type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({ description: '`invalid_workflow`', type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateWorkflowDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<WorkflowDto> {
    return this.workflows.update(orgId, id, dto, version, context);
  }

  @DeleteRoute(
    'workflows:delete',
    'Delete a workflow that is not active and that no record runs on',
  )
  @ApiConflictResponse({
    description: '`workflow_not_draft` (active), `workflow_in_use`',
    type: ErrorEnvelopeDto,
  })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.workflows.delete(orgId, id, version, context);
  }

  @ActionRoute(
    ':id/activate',
    'workflows:manage',
    'Validate and activate (the previous active revision of the type becomes inactive; records in flight keep theirs)',
    WorkflowDto,
  )
  @ApiUnprocessableEntityResponse({
    description:
      '`invalid_workflow`: one error per problem (initial state, reachability, exits from final states, statuses, roles)',
    type: ErrorEnvelopeDto,
  })
  activate(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<WorkflowDto> {
    return this.workflows.activate(orgId, id, version, context);
  }

  @CreateRoute(
    'workflows',
    'workflows:create',
    'A new draft revision copying this workflow (how an active one is changed)',
    WorkflowDto,
    ':id/revisions',
  )
  createRevision(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<WorkflowDto> {
    return this.workflows.createRevision(orgId, id, context);
  }
}

const ENTITY_TYPE = ApiParam({
  name: 'entityType',
  description: 'A governed entity type (`product`, `contact`); unknown → 404',
});

/**
 * The workflow of one record. The record's read permission applies (targets registry: unknown
 * type, missing, other-tenant or unreadable → 404), plus an allowed role to transition.
 */
@ApiTags('workflows')
@ApiNotFoundResponse({
  description: 'No such record you can read, or no workflow governs it',
  type: ErrorEnvelopeDto,
})
@Controller('workflow-instances/:entityType/:entityId')
export class WorkflowInstancesController {
  constructor(private readonly instances: WorkflowInstancesService) {}

  @Get()
  @RequirePermissions('workflows:read')
  @ENTITY_TYPE
  @ApiOperation({
    summary:
      "The record's state, history and the caller's available actions (ETag: instance version)",
  })
  @ApiOkResponse({ type: WorkflowInstanceDto })
  get(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @Param('entityType') entityType: string,
    @IdParam('entityId') entityId: string,
  ): Promise<WorkflowInstanceDto> {
    return this.instances.view(orgId, caller, entityType, entityId);
  }

  @ActionRoute(
    'transitions',
    'workflows:read',
    'Take an action (If-Match: instance version, "0" before it starts): an approval, or the state change',
    WorkflowInstanceDto,
  )
  @ENTITY_TYPE
  @ApiConflictResponse({
    description: '`transition_not_available`, `transition_condition_not_met`, `already_approved`',
    type: ErrorEnvelopeDto,
  })
  @ApiUnprocessableEntityResponse({
    description: '`unknown_action`, `comment_required`',
    type: ErrorEnvelopeDto,
  })
  transition(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @Param('entityType') entityType: string,
    @IdParam('entityId') entityId: string,
    @Body() dto: ApplyTransitionDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<WorkflowInstanceDto> {
    return this.instances.transition(orgId, caller, context, entityType, entityId, dto, version);
  }
}

/** The caller's approval inbox. */
@ApiTags('workflows')
@Controller('workflow-actions')
export class WorkflowActionsController {
  constructor(
    private readonly instances: WorkflowInstancesService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get('pending')
  @RequirePermissions('workflows:read')
  @ApiOperation({
    summary:
      'Actions waiting for the caller: records whose current state has a role-restricted transition the caller may take and has not approved',
  })
  @ApiListQuery(PENDING_ACTIONS_LIST)
  @ApiOkResponse({ type: PageOf(PendingWorkflowActionDto) })
  async pending(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @ListScope() scope: ListScope,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<PendingWorkflowActionDto>> {
    return this.instances.pending(
      orgId,
      caller,
      await this.lists.resolve(PENDING_ACTIONS_LIST, raw, scope),
    );
  }
}
