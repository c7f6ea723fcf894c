import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  CurrentUserId,
  ListScope,
  RequirePermissions,
  RequireUser,
} from '../../core/auth';
import {
  ActionRoute,
  ApiListQuery,
  ErrorEnvelopeDto,
  IdParam,
  ListQueryParser,
  Page,
  PageOf,
} from '../../core/http';
import {
  BroadcastDto,
  BroadcastResultDto,
  NotificationDto,
  NotificationPreferencesDto,
  PutNotificationPreferencesDto,
  ReadAllDto,
  ReadAllResultDto,
  UnreadCountDto,
} from './dto/notification.dto';
import { NOTIFICATION_LIST, NotificationsService } from './notifications.service';

/**
 * The caller's own notifications in the active organization. Any signed-in member may use them
 * (no permission beyond membership; API keys have no inbox: 403 `user_required`); another
 * person's notification is 404. Broadcast needs `notifications:broadcast`.
 */
@ApiTags('notifications')
@ApiNotFoundResponse({ description: 'Not one of your notifications', type: ErrorEnvelopeDto })
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions()
  @RequireUser()
  @ApiOperation({ summary: 'Your notifications, newest first (?unread=true, ?cursor= for more)' })
  @ApiListQuery(NOTIFICATION_LIST)
  @ApiOkResponse({ type: PageOf(NotificationDto) })
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<NotificationDto>> {
    return this.notifications.list(
      orgId,
      userId,
      await this.lists.resolve(NOTIFICATION_LIST, raw, scope),
    );
  }

  @Get('unread-count')
  @RequirePermissions()
  @RequireUser()
  @ApiOperation({ summary: 'Your unread count (maintained, one key read)' })
  @ApiOkResponse({ type: UnreadCountDto })
  async unreadCount(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
  ): Promise<UnreadCountDto> {
    return { unread: await this.notifications.unreadCount(orgId, userId) };
  }

  @Post('read-all')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions()
  @ApiOperation({ summary: 'Mark your unread notifications read (up to `before`)' })
  @ApiOkResponse({ type: ReadAllResultDto })
  @RequireUser()
  readAll(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @Body() dto: ReadAllDto,
  ): Promise<ReadAllResultDto> {
    return this.notifications.readAll(orgId, userId, dto.before ? new Date(dto.before) : null);
  }

  @ActionRoute(
    'broadcast',
    'notifications:broadcast',
    'Announce to every active member (or one role) of the organization',
    BroadcastResultDto,
  )
  @RequireUser()
  broadcast(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @Body() dto: BroadcastDto,
  ): Promise<BroadcastResultDto> {
    return this.notifications.broadcast(orgId, userId, dto);
  }

  @Post(':id/read')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions()
  @ApiOperation({ summary: 'Mark one of your notifications read' })
  @ApiOkResponse({ type: NotificationDto })
  @RequireUser()
  read(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
  ): Promise<NotificationDto> {
    return this.notifications.setRead(orgId, userId, id, true);
  }

  @Post(':id/unread')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions()
  @ApiOperation({ summary: 'Mark one of your notifications unread' })
  @ApiOkResponse({ type: NotificationDto })
  @RequireUser()
  unread(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
  ): Promise<NotificationDto> {
    return this.notifications.setRead(orgId, userId, id, false);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions()
  @ApiOperation({ summary: 'Archive one of your notifications (gone from the list and the count)' })
  @ApiNoContentResponse()
  @RequireUser()
  async archive(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
  ): Promise<void> {
    await this.notifications.archive(orgId, userId, id);
  }
}

/** The caller's notification preferences in the active organization. */
@ApiTags('notifications')
@Controller('me/notification-preferences')
export class NotificationPreferencesController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @RequirePermissions()
  @RequireUser()
  @ApiOperation({ summary: 'Your notification preferences and the types they apply to' })
  @ApiOkResponse({ type: NotificationPreferencesDto })
  get(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
  ): Promise<NotificationPreferencesDto> {
    return this.notifications.getPreferences(orgId, userId);
  }

  @Put()
  @RequirePermissions()
  @RequireUser()
  @ApiOperation({
    summary: 'Replace your notification preferences (security notices cannot be muted)',
  })
  @ApiOkResponse({ type: NotificationPreferencesDto })
  put(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @Body() dto: PutNotificationPreferencesDto,
  ): Promise<NotificationPreferencesDto> {
    return this.notifications.putPreferences(orgId, userId, dto);
  }
}
