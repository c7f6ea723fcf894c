import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  CurrentUserId,
  ListScope,
  Principal,
  Public,
  RequirePermissions,
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
  IssuesSecret,
  ListQueryParser,
  ListRoute,
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  AddParticipantsDto,
  CalendarFeedQueryDto,
  CalendarFeedTokenDto,
  CreateMeetingDto,
  JoinDto,
  MeetingDto,
  RsvpDto,
  UpdateMeetingDto,
  WebhookResultDto,
} from './dto/meeting.dto';
import { MEETING_LIST, MeetingCaller, MeetingsService } from './meetings.service';
import { meetingFor } from './join-link-visibility';

const CALENDAR = 'text/calendar; charset=utf-8';
const callerOf = (principal: Principal, userId: string): MeetingCaller => ({
  userId,
  permissions: principal.permissions,
});
const NOT_HOST = {
  description: '`not_meeting_host`: only the host or a holder of meetings:manage',
  type: ErrorEnvelopeDto,
};
const CLOSED = {
  description: '`meeting_cancelled`: the meeting is cancelled or over',
  type: ErrorEnvelopeDto,
};
const INVALID = {
  description:
    '`validation_error`: end not after start, longer than 24 h, unknown time zone, link not https or missing for provider none, a participant who is not a member',
  type: ErrorEnvelopeDto,
};

@ApiTags('meetings')
@ApiNotFoundResponse({ description: 'Not in this organization', type: ErrorEnvelopeDto })
@Controller('meetings')
export class MeetingsController {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'meetings:read',
    'Meetings of this organization (filter: startsAt ranges, status, host, participant eq @me)',
    MEETING_LIST,
    MeetingDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<MeetingDto>> {
    const page = await this.meetings.list(
      orgId,
      await this.lists.resolve(MEETING_LIST, raw, scope),
    );
    return { ...page, items: page.items.map((meeting) => meetingFor(meeting, principal)) };
  }

  @CreateRoute(
    'meetings',
    'meetings:create',
    'Schedule a meeting you host; invitations are e-mailed',
    MeetingDto,
  )
  @RequireUser()
  @ApiUnprocessableEntityResponse(INVALID)
  async create(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @Body() dto: CreateMeetingDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<MeetingDto> {
    return meetingFor(
      await this.meetings.create(orgId, callerOf(principal, userId), dto, context),
      principal,
    );
  }

  @Get(':id.ics')
  @RequirePermissions('meetings:read')
  @Header('Content-Type', CALENDAR)
  @ApiOperation({ summary: 'The meeting as an iCalendar file (RFC 5545)' })
  @ApiProduces('text/calendar')
  @ApiOkResponse({ schema: { type: 'string' } })
  ics(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
  ): Promise<string> {
    return this.meetings.ics(orgId, id, (meeting) => meetingFor(meeting, principal));
  }

  @ReadRoute('meetings:read', 'One meeting with its participants', MeetingDto)
  async get(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
  ): Promise<MeetingDto> {
    return meetingFor(await this.meetings.get(orgId, id), principal);
  }

  @UpdateRoute(
    'meetings:update',
    'Change a meeting (host or meetings:manage); a new time, zone or link re-invites everyone (SEQUENCE + 1)',
    MeetingDto,
  )
  @RequireUser()
  @ApiForbiddenResponse(NOT_HOST)
  @ApiConflictResponse(CLOSED)
  @ApiUnprocessableEntityResponse(INVALID)
  async update(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Body() dto: UpdateMeetingDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<MeetingDto> {
    return meetingFor(
      await this.meetings.update(orgId, callerOf(principal, userId), id, dto, version, context),
      principal,
    );
  }

  @ActionRoute(
    ':id/cancel',
    'meetings:update',
    'Cancel a meeting; participants get METHOD:CANCEL',
    MeetingDto,
  )
  @RequireUser()
  @ApiForbiddenResponse(NOT_HOST)
  @ApiConflictResponse(CLOSED)
  async cancel(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<MeetingDto> {
    return meetingFor(
      await this.meetings.cancel(orgId, callerOf(principal, userId), id, version, context),
      principal,
    );
  }

  @DeleteRoute('meetings:delete', 'Delete a meeting (host or meetings:manage), without notice')
  @RequireUser()
  @ApiForbiddenResponse(NOT_HOST)
  async delete(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.meetings.delete(orgId, callerOf(principal, userId), id, version, context);
  }

  @ActionRoute(
    ':id/participants',
    'meetings:update',
    'Invite more people (already invited: skipped)',
    MeetingDto,
  )
  @RequireUser()
  @ApiForbiddenResponse(NOT_HOST)
  @ApiConflictResponse(CLOSED)
  @ApiUnprocessableEntityResponse(INVALID)
  addParticipants(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Body() dto: AddParticipantsDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<MeetingDto> {
    return this.meetings.addParticipants(
      orgId,
      callerOf(principal, userId),
      id,
      dto.participants,
      context,
    );
  }

  @Delete(':id/participants/:participantId')
  @RequirePermissions('meetings:update')
  @ApiOperation({ summary: 'Remove a participant (not the host); they get METHOD:CANCEL' })
  @ApiOkResponse({ type: MeetingDto })
  @RequireUser()
  @ApiForbiddenResponse(NOT_HOST)
  @ApiConflictResponse({
    description: '`host_cannot_be_removed`, `meeting_cancelled`',
    type: ErrorEnvelopeDto,
  })
  removeParticipant(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @IdParam('participantId') participantId: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<MeetingDto> {
    return this.meetings.removeParticipant(
      orgId,
      callerOf(principal, userId),
      id,
      participantId,
      context,
    );
  }

  @ActionRoute(':id/rsvp', 'meetings:read', 'Answer your own invitation', MeetingDto)
  @RequireUser()
  @ApiForbiddenResponse({ description: '`not_a_participant`', type: ErrorEnvelopeDto })
  @ApiConflictResponse(CLOSED)
  rsvp(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Body() dto: RsvpDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<MeetingDto> {
    return this.meetings.rsvp(orgId, userId, id, dto.response, context);
  }

  @ActionRoute(
    ':id/join',
    'meetings:read',
    'A join link and token for the host or a participant, from 15 minutes before the start until the end (token ≤ 2 h, never stored)',
    JoinDto,
  )
  @RequireUser()
  @IssuesSecret()
  @ApiForbiddenResponse({ description: '`not_a_participant`', type: ErrorEnvelopeDto })
  @ApiConflictResponse({
    description: '`join_window_closed`, `meeting_cancelled`',
    type: ErrorEnvelopeDto,
  })
  join(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
  ): Promise<JoinDto> {
    return this.meetings.join(orgId, userId, id);
  }
}

@ApiTags('meetings')
@Controller('me')
export class CalendarFeedController {
  constructor(private readonly meetings: MeetingsService) {}

  @Get('calendar.ics')
  @Public()
  @Header('Content-Type', CALENDAR)
  @Header('Cache-Control', 'private, no-store')
  @ApiOperation({
    summary: 'Your meetings as an iCalendar feed (subscribe with the URL; the token authenticates)',
  })
  @ApiProduces('text/calendar')
  @ApiOkResponse({ schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'Unknown or revoked token', type: ErrorEnvelopeDto })
  feed(@Query() query: CalendarFeedQueryDto): Promise<string> {
    return this.meetings.feed(query.token);
  }

  @Post('calendar-feed-tokens')
  @RequirePermissions('meetings:read')
  @ApiOperation({
    summary: 'A new calendar feed token for you (shown once; only its hash is kept)',
  })
  @ApiCreatedResponse({ type: CalendarFeedTokenDto })
  @RequireUser()
  @IssuesSecret()
  createFeedToken(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<CalendarFeedTokenDto> {
    return this.meetings.createFeedToken(orgId, userId, context);
  }

  @DeleteRoute(
    'meetings:read',
    'Revoke one of your calendar feed tokens',
    'calendar-feed-tokens/:id',
  )
  @RequireUser()
  async revokeFeedToken(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.meetings.revokeFeedToken(orgId, userId, id, context);
  }
}

@ApiTags('meetings')
@Controller('integrations/video')
export class VideoWebhookController {
  constructor(private readonly meetings: MeetingsService) {}

  @Post(':provider/webhook')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Video provider events, signed: X-Alees-Timestamp (unix s, within 5 min) and X-Alees-Signature sha256=HMAC(VIDEO_WEBHOOK_SECRET, "<ts>.<raw body>"); a replayed event id is a no-op',
  })
  @ApiParam({ name: 'provider', enum: ['jitsi'] })
  @ApiOkResponse({ type: WebhookResultDto })
  @ApiUnauthorizedResponse({ description: '`invalid_webhook_signature`', type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description: 'A signed body that is not an event',
    type: ErrorEnvelopeDto,
  })
  async webhook(
    @Param('provider') provider: string,
    @Req() request: FastifyRequest & { rawBody?: string },
  ): Promise<WebhookResultDto> {
    const result = await this.meetings.handleWebhook(
      provider,
      request.rawBody ?? '',
      request.headers,
    );
    return { result };
  }
}
