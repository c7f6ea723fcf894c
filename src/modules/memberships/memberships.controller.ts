import { Body, Controller, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
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
  defineList,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListDefinition,
  ListQueryParser,
  ListRoute,
  LocationOf,
  Page,
  ReadRoute,
} from '../../core/http';
import { CreateMembershipDto, MembershipDto, UpdateMembershipDto } from './dto/membership.dto';
import { MembershipFilter, MembershipSort } from './memberships.repository';
import { MembershipsService } from './memberships.service';

export const MEMBERSHIP_LIST: ListDefinition<MembershipSort, MembershipFilter> = defineList({
  resource: 'memberships',
  sortable: ['createdAt', 'email'],
  defaultSort: 'email',
  filters: { userId: 'uuid', roleId: 'uuid', status: { enum: ['active', 'suspended'] } },
  fields: {
    id: { type: 'uuid', column: 'm.id' },
    userId: { type: 'uuid', column: 'm.user_id' },
    suspendedAt: { type: 'datetime', column: 'm.suspended_at' },
    appliesToDescendants: { type: 'boolean', column: 'm.applies_to_descendants' },
    isDefault: { type: 'boolean', column: 'm.is_default' },
    createdAt: { type: 'datetime', column: 'm.created_at' },
    'user.email': {
      type: 'text',
      column: 'filter_user.email',
      relation: { from: 'users filter_user', join: 'filter_user.id = m.user_id' },
    },
    'user.fullName': {
      type: 'string',
      column: 'filter_user.full_name',
      relation: { from: 'users filter_user', join: 'filter_user.id = m.user_id' },
    },
    'roles.id': {
      type: 'uuid',
      column: 'filter_role.role_id',
      relation: { from: 'membership_roles filter_role', join: 'filter_role.membership_id = m.id' },
    },
  },
});

@ApiTags('access')
@ApiNotFoundResponse({
  description: 'No such membership in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('memberships')
export class MembershipsController {
  constructor(
    private readonly memberships: MembershipsService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'memberships:read',
    'Members of the active organization, with their roles',
    MEMBERSHIP_LIST,
    MembershipDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<MembershipDto>> {
    return this.memberships.list(orgId, await this.lists.resolve(MEMBERSHIP_LIST, raw, scope));
  }

  @Post()
  @LocationOf('memberships')
  @RequirePermissions('memberships:create')
  @ApiOperation({
    summary:
      'Superusers: add an existing account to this organization by user id (organizations invite instead: POST /invitations)',
  })
  @ApiCreatedResponse({ type: MembershipDto })
  @ApiConflictResponse({ description: 'already a member', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateMembershipDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<MembershipDto> {
    return this.memberships.create(orgId, dto, context);
  }

  @ReadRoute('memberships:read', 'One membership', MembershipDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<MembershipDto> {
    return this.memberships.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('memberships:manage')
  @ApiOperation({ summary: 'Change roles or descendant scope (takes effect on the next request)' })
  @ApiOkResponse({ type: MembershipDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateMembershipDto,
    @IfMatch() version: ExpectedVersion,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<MembershipDto> {
    return this.memberships.update(orgId, id, dto, version, caller, context);
  }

  @Post(':id/suspend')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('memberships:manage')
  @ApiOperation({
    summary:
      'Suspend a member: no access to this organization from their next request (their account stays untouched)',
  })
  @ApiOkResponse({ type: MembershipDto })
  suspend(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<MembershipDto> {
    return this.memberships.setSuspended(orgId, id, true, version, caller, context);
  }

  @ActionRoute(
    ':id/reactivate',
    'memberships:manage',
    'Reactivate a suspended member',
    MembershipDto,
  )
  reactivate(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<MembershipDto> {
    return this.memberships.setSuspended(orgId, id, false, version, caller, context);
  }

  @DeleteRoute('memberships:manage', 'Remove a member (not the last Owner)')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.memberships.delete(orgId, id, version, caller, context);
  }
}
