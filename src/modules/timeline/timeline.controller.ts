import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  CurrentPrincipal,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import { ErrorEnvelopeDto, IdParam } from '../../core/http';
import { TimelinePageDto, TimelineQueryDto } from './timeline.dto';
import { TIMELINE_DEFAULT_LIMIT, TimelinePage, TimelineService } from './timeline.service';

/** `GET /timeline/{entityType}/{entityId}`: a record's history from every registered source. */
@ApiTags('timeline')
@Controller('timeline')
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  @Get(':entityType/:entityId')
  @RequirePermissions('timeline:read')
  @ApiOperation({
    summary:
      'A record’s timeline, newest first: field changes, attachments, comments, finished activities (needs the record’s read permission)',
  })
  @ApiOkResponse({ type: TimelinePageDto })
  @ApiNotFoundResponse({
    description: 'Unknown type, missing, another tenant’s or unreadable record',
    type: ErrorEnvelopeDto,
  })
  @ApiUnprocessableEntityResponse({ description: 'Bad cursor or limit', type: ErrorEnvelopeDto })
  page(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @Param('entityType') entityType: string,
    @IdParam('entityId') entityId: string,
    @Query() query: TimelineQueryDto,
  ): Promise<TimelinePage> {
    return this.timeline.page(
      orgId,
      caller.permissions,
      { entityType, entityId },
      query.cursor,
      query.limit ?? TIMELINE_DEFAULT_LIMIT,
    );
  }
}
