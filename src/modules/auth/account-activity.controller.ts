import { Controller, Delete, Get, HttpCode, HttpStatus, Query } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  CurrentUserId,
  ListScope,
  Principal,
  RequirePermissions,
  RequireUser,
} from '../../core/auth';
import { Clock } from '../../core/clock';
import {
  ApiListQuery,
  defineList,
  ErrorEnvelopeDto,
  IdParam,
  ListDefinition,
  ListQueryParser,
  NotFoundError,
  Page,
  PageOf,
  toPage,
} from '../../core/http';
import { AuditService } from '../audit';
import { AccountActivityService } from './account-activity.service';
import { LoginEventDto, SessionDto } from './dto/account.dto';

export const LOGIN_HISTORY_LIST: ListDefinition<'createdAt', never> = defineList({
  resource: 'login-history',
  sortable: ['createdAt'],
  defaultSort: '-createdAt',
  cursor: true,
  filters: {},
  fields: {
    outcome: { type: 'text', column: 'login_events.outcome' },
    reason: { type: 'text', column: 'login_events.reason' },
    ip: { type: 'text', column: 'login_events.ip' },
    userAgent: { type: 'text', column: 'login_events.user_agent' },
    createdAt: { type: 'datetime', column: 'login_events.created_at' },
  },
});

/**
 * The caller's own sign-in activity: login history and active sessions (refresh-token families),
 * revocable one by one. Only ever the caller's rows: someone else's session id is a 404.
 */
@ApiTags('auth')
@RequirePermissions()
@RequireUser()
@Controller('auth/me')
export class AccountActivityController {
  constructor(
    private readonly activity: AccountActivityService,
    private readonly lists: ListQueryParser,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  @Get('login-history')
  @ApiOperation({
    summary: 'My sign-in attempts (successes, failures, lockouts), newest first (page or cursor)',
  })
  @ApiListQuery(LOGIN_HISTORY_LIST)
  @ApiOkResponse({ type: PageOf(LoginEventDto) })
  async loginHistory(
    @ListScope() scope: ListScope,
    @CurrentUserId() userId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<LoginEventDto>> {
    const query = await this.lists.resolve(LOGIN_HISTORY_LIST, raw, scope);
    const { rows, total, nextCursor } = await this.activity.loginEvents(userId, query);
    const items = rows.map((row) => ({
      at: new Date(row.created_at).toISOString(),
      outcome: row.outcome,
      ip: row.ip,
      userAgent: row.user_agent,
      reason: row.reason,
    }));
    return toPage(items, total, query, nextCursor);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'My active sessions (one per sign-in), most recently used first' })
  @ApiOkResponse({ type: SessionDto, isArray: true })
  async sessions(
    @CurrentUserId() userId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SessionDto[]> {
    const rows = await this.activity.activeSessions(userId, this.clock.now());
    return rows.map((row) => ({
      id: row.id,
      createdAt: new Date(row.created_at).toISOString(),
      lastUsedAt: new Date(row.last_used_at).toISOString(),
      ip: row.ip,
      userAgent: row.user_agent,
      current: row.id === principal.sessionId,
    }));
  }

  @Delete('sessions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End one of my sessions: its refresh and access tokens stop working at once',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({
    description: 'No such active session of yours',
    type: ErrorEnvelopeDto,
  })
  async revoke(
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    if (!(await this.activity.revokeSession(userId, id, this.clock.now()))) {
      throw new NotFoundError('Session');
    }
    await this.audit.recordStandalone({
      organizationId: null,
      action: 'session.revoke',
      entityType: 'user',
      entityId: userId,
      changes: { sessionId: id },
      context,
    });
  }
}
