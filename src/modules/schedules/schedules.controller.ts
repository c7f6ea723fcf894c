import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  Page,
  PageOf,
  ReadRoute,
} from '../../core/http';
import { SCHEDULE_LIST, SchedulesService } from './schedules.service';
import { ScheduleDto, CreateScheduleDto, UpdateScheduleDto } from './dto/schedule.dto';

@ApiTags('schedules')
@ApiNotFoundResponse({
  description: 'No such schedule in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: SchedulesService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('schedules:read')
  @ApiOperation({
    summary: 'Schedules of this organization (recurring tasks)',
  })
  @ApiListQuery(SCHEDULE_LIST)
  @ApiOkResponse({ type: PageOf(ScheduleDto) })
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<ScheduleDto>> {
    return this.schedules.list(orgId, await this.lists.resolve(SCHEDULE_LIST, raw, scope));
  }

  @CreateRoute(
    'schedules',
    'schedules:manage',
    'Schedule a task by cron expression (UTC) or interval',
    ScheduleDto,
  )
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateScheduleDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<ScheduleDto> {
    return this.schedules.create(orgId, dto, context);
  }

  @ReadRoute(
    'schedules:read',
    'One schedule with its last and next run (ETag for If-Match)',
    ScheduleDto,
  )
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<ScheduleDto> {
    return this.schedules.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('schedules:manage')
  @ApiOperation({
    summary: 'Change, enable or disable a schedule (a new rule recomputes the next run)',
  })
  @ApiOkResponse({ type: ScheduleDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateScheduleDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<ScheduleDto> {
    return this.schedules.update(orgId, id, dto, version, context);
  }

  @DeleteRoute('schedules:manage', 'Delete a schedule')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.schedules.delete(orgId, id, version, context);
  }
}
