import { Body, Controller, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  CurrentUserId,
  Principal,
  RequireUser,
} from '../../core/auth';
import {
  ActionRoute,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import { ActivitiesService } from './activities.service';
import {
  ActivityDto,
  ActivityQueryDto,
  CreateActivityDto,
  MyActivityQueryDto,
  UpdateActivityDto,
} from './dto/activity.dto';

const INVALID = { description: '`invalid_assignee`', type: ErrorEnvelopeDto };

@ApiTags('activities')
@ApiNotFoundResponse({
  description: 'Activity or target not in this organization, or not readable by the caller',
  type: ErrorEnvelopeDto,
})
@Controller('activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @ReadRoute(
    'activities:read',
    "A target's activities by due date (at most 500), filtered by derived state and assignee; also needs the target's read permission",
    [ActivityDto],
    '',
  )
  list(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Query() query: ActivityQueryDto,
  ): Promise<ActivityDto[]> {
    return this.activities.list(
      orgId,
      principal,
      { entityType: query.entityType, entityId: query.entityId },
      { state: query.state, assignee: query.assignee },
    );
  }

  @CreateRoute(
    'activities',
    'activities:create',
    'Schedule an activity on a target the caller can read',
    ActivityDto,
  )
  @ApiUnprocessableEntityResponse(INVALID)
  create(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateActivityDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<ActivityDto> {
    return this.activities.create(orgId, principal, dto, context);
  }

  @UpdateRoute('activities:update', 'Change an activity (If-Match honoured)', ActivityDto)
  @ApiUnprocessableEntityResponse(INVALID)
  update(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() dto: UpdateActivityDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<ActivityDto> {
    return this.activities.update(orgId, principal, id, dto, version, context);
  }

  @ActionRoute(':id/done', 'activities:update', 'Mark an activity done (idempotent)', ActivityDto)
  done(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<ActivityDto> {
    return this.activities.done(orgId, principal, id, version, context);
  }

  @DeleteRoute('activities:delete', 'Delete an activity')
  async delete(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.activities.delete(orgId, principal, id, version, context);
  }
}

@ApiTags('activities')
@Controller('me/activities')
export class MyActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @ReadRoute(
    'activities:read',
    'The activities assigned to the caller in the active organization, on target types they can read, by due date (at most 500)',
    [ActivityDto],
    '',
  )
  @RequireUser()
  mine(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @Query() query: MyActivityQueryDto,
  ): Promise<ActivityDto[]> {
    return this.activities.mine(orgId, { userId, permissions: principal.permissions }, query.state);
  }
}
