import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  Principal,
  ListScope,
  RequirePermissions,
} from '../../core/auth';
import {
  ActionRoute,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  ListRoute,
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import { AUTOMATION_RULE_LIST, AutomationRulesService } from './automation-rules.service';
import { AUTOMATION_RUN_LIST, AutomationRunsService } from './automation-runs.service';
import {
  AutomationCatalogDto,
  AutomationRuleDto,
  AutomationRunDto,
  CreateAutomationRuleDto,
  ManualRunDto,
  RuleTargetDto,
  RuleTestResultDto,
  RunStartedDto,
  UpdateAutomationRuleDto,
} from './dto/automation.dto';

const INVALID_RULE = {
  description:
    '`validation_error` (trigger, actions, params at /actions/<i>/params/...), `invalid_filter` (condition), `unknown_entity_type`, `unknown_action`, `invalid_run_as_user`',
  type: ErrorEnvelopeDto,
};

@ApiTags('automation')
@ApiNotFoundResponse({
  description: 'No such automation rule (or record) in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('automation-rules')
export class AutomationRulesController {
  constructor(
    private readonly rules: AutomationRulesService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'automation:read',
    'Automation rules of this organization',
    AUTOMATION_RULE_LIST,
    AutomationRuleDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<AutomationRuleDto>> {
    return this.rules.list(orgId, await this.lists.resolve(AUTOMATION_RULE_LIST, raw, scope));
  }

  @CreateRoute(
    'automation-rules',
    'automation:create',
    'Create an automation rule (trigger, condition, ordered actions, run-as user)',
    AutomationRuleDto,
  )
  @ApiUnprocessableEntityResponse(INVALID_RULE)
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateAutomationRuleDto,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<AutomationRuleDto> {
    return this.rules.create(orgId, dto, context, caller);
  }

  @ReadRoute('automation:read', 'One automation rule (ETag for If-Match)', AutomationRuleDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<AutomationRuleDto> {
    return this.rules.get(orgId, id);
  }

  @UpdateRoute(
    'automation:update',
    'Change an automation rule (If-Match honoured)',
    AutomationRuleDto,
  )
  @ApiUnprocessableEntityResponse(INVALID_RULE)
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateAutomationRuleDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<AutomationRuleDto> {
    return this.rules.update(orgId, id, dto, version, context, caller);
  }

  @DeleteRoute('automation:delete', 'Delete an automation rule and its runs (If-Match honoured)')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.rules.delete(orgId, id, version, context);
  }

  @ActionRoute(
    ':id/enable',
    'automation:update',
    'Enable a rule (clears its failure streak and disabledReason; If-Match honoured)',
    AutomationRuleDto,
  )
  enable(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<AutomationRuleDto> {
    return this.rules.setEnabled(orgId, id, true, version, context, caller);
  }

  @ActionRoute(
    ':id/disable',
    'automation:update',
    'Disable a rule (If-Match honoured)',
    AutomationRuleDto,
  )
  disable(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<AutomationRuleDto> {
    return this.rules.setEnabled(orgId, id, false, version, context, caller);
  }

  @ActionRoute(
    ':id/test',
    'automation:read',
    'Dry run on a record: whether the condition holds and what each action would do (writes nothing)',
    RuleTestResultDto,
  )
  test(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: RuleTargetDto,
    @CurrentPrincipal() caller: Principal,
  ): Promise<RuleTestResultDto> {
    return this.rules.test(orgId, id, dto.entityId, caller.permissions);
  }

  @Post(':id/run')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePermissions('automation:manage')
  @ApiOperation({
    summary:
      'Run a rule now (manual trigger) on a record or none: 202 with the run id (GET /automation-runs/{runId})',
  })
  @ApiAcceptedResponse({ type: RunStartedDto })
  @ApiConflictResponse({ description: '`rule_disabled`', type: ErrorEnvelopeDto })
  run(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: ManualRunDto,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<RunStartedDto> {
    return this.rules.runManually(orgId, id, dto.entityId, context, caller.permissions);
  }
}

@ApiTags('automation')
@ApiNotFoundResponse({
  description: 'No such automation run in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('automation-runs')
export class AutomationRunsController {
  constructor(
    private readonly runs: AutomationRunsService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'automation:read',
    'Automation runs of this organization, newest first (?ruleId=, ?status=)',
    AUTOMATION_RUN_LIST,
    AutomationRunDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<AutomationRunDto>> {
    return this.runs.list(orgId, await this.lists.resolve(AUTOMATION_RUN_LIST, raw, scope));
  }

  @ReadRoute('automation:read', 'One automation run with its steps', AutomationRunDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<AutomationRunDto> {
    return this.runs.get(orgId, id);
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePermissions('automation:manage')
  @ApiOperation({
    summary: 'Run a failed run again (steps that succeeded are not redone): 202 with the run id',
  })
  @ApiAcceptedResponse({ type: RunStartedDto })
  @ApiConflictResponse({ description: '`run_not_retryable`', type: ErrorEnvelopeDto })
  retry(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<RunStartedDto> {
    return this.runs.retry(orgId, id, context);
  }
}

@ApiTags('automation')
@Controller('automation')
export class AutomationCatalogController {
  constructor(private readonly rules: AutomationRulesService) {}

  @Get('catalog')
  @RequirePermissions('automation:read')
  @ApiOperation({ summary: 'Triggers and actions with their JSON Schemas, and the entity types' })
  @ApiOkResponse({ type: AutomationCatalogDto })
  catalog(): AutomationCatalogDto {
    return this.rules.catalog();
  }
}
