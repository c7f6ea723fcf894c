import { Body, Controller, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
  Principal,
  Public,
  RequirePermissions,
} from '../../core/auth';
import {
  defineList,
  DeleteRoute,
  ErrorEnvelopeDto,
  IdParam,
  ListDefinition,
  ListQueryParser,
  ListRoute,
  LocationOf,
  Page,
  ReadRoute,
} from '../../core/http';
import { AuthGuard } from '../auth';
import {
  AcceptedInvitationDto,
  AcceptInvitationDto,
  CreateInvitationDto,
  InvitationDto,
} from './dto/invitation.dto';
import { InvitationFilter, InvitationSort } from './invitations.repository';
import { InvitationsService } from './invitations.service';

export const INVITATION_LIST: ListDefinition<InvitationSort, InvitationFilter> = defineList({
  resource: 'invitations',
  sortable: ['createdAt', 'email', 'expiresAt'],
  defaultSort: '-createdAt',
  filters: { email: 'string' },
  fields: {
    id: { type: 'uuid', column: 'i.id' },
    email: { type: 'text', column: 'i.email' },
    invitedBy: { type: 'uuid', column: 'i.invited_by' },
    appliesToDescendants: { type: 'boolean', column: 'i.applies_to_descendants' },
    expiresAt: { type: 'datetime', column: 'i.expires_at' },
    createdAt: { type: 'datetime', column: 'i.created_at' },
  },
});

@ApiTags('invitations')
@Controller('invitations')
export class InvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly lists: ListQueryParser,
    private readonly auth: AuthGuard,
  ) {}

  @ListRoute(
    'invitations:read',
    'Pending invitations of the active organization',
    INVITATION_LIST,
    InvitationDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<InvitationDto>> {
    return this.invitations.listPending(
      orgId,
      await this.lists.resolve(INVITATION_LIST, raw, scope),
    );
  }

  @Post()
  @LocationOf('invitations')
  @RequirePermissions('invitations:create')
  @ApiOperation({
    summary:
      'Invite an email address with roles: a single-use link (7 days) is mailed. Same answer whether or not an account exists for the address',
  })
  @ApiCreatedResponse({ type: InvitationDto })
  @ApiConflictResponse({
    description: '`already_member`: the address belongs to a member of this organization',
    type: ErrorEnvelopeDto,
  })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateInvitationDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<InvitationDto> {
    return this.invitations.create(orgId, dto, context);
  }

  @ReadRoute(
    'invitations:read',
    'One invitation of the active organization (any status)',
    InvitationDto,
  )
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<InvitationDto> {
    return this.invitations.get(orgId, id);
  }

  @DeleteRoute('invitations:delete', 'Revoke a pending invitation (its link stops working)')
  @ApiNotFoundResponse({
    description: 'No pending invitation with this id',
    type: ErrorEnvelopeDto,
  })
  async revoke(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.invitations.revoke(orgId, id, context);
  }

  @Public()
  @Post(':token/accept')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth('bearer')
  @ApiParam({ name: 'token', description: 'The token from the mailed link' })
  @ApiOperation({
    summary:
      'Accept an invitation: signed in as the invited address (empty body), or anonymous with password and fullName to create the account',
  })
  @ApiOkResponse({ type: AcceptedInvitationDto })
  @ApiNotFoundResponse({
    description: 'Unknown, used, revoked or expired token (one answer for all)',
    type: ErrorEnvelopeDto,
  })
  @ApiForbiddenResponse({
    description: '`invitation_email_mismatch` (another account) or `user_required` (an API key)',
    type: ErrorEnvelopeDto,
  })
  @ApiConflictResponse({
    description: '`account_exists` (sign in first) or `already_member`',
    type: ErrorEnvelopeDto,
  })
  async accept(
    @Param('token') token: string,
    @Body() dto: AcceptInvitationDto,
    @Req() request: FastifyRequest,
    @AuditContextParam() context: AuditContext,
  ): Promise<AcceptedInvitationDto> {
    // Public route: credentials are optional here, but when given they must be valid.
    const signedIn =
      request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined;
    const caller: Principal | undefined = signedIn
      ? await this.auth.authenticate(request)
      : undefined;
    return this.invitations.accept(token, dto, caller, {
      ...context,
      actorUserId: caller?.userId ?? null,
      actorApiKeyId: caller?.apiKeyId ?? null,
    });
  }
}
