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
  Principal,
  RequirePermissions,
} from '../../core/auth';
import {
  ActionRoute,
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

export const MEMBERSHIP_LIST: ListDefinition<MembershipSort, MembershipFilter> = {
  sortable: ['createdAt', 'email'],
  defaultSort: 'email',
  filters: { userId: 'uuid', roleId: 'uuid', status: { enum: ['active', 'suspended'] } },
};

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
  list(
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<MembershipDto>> {
    return this.memberships.list(orgId, this.lists.parse(MEMBERSHIP_LIST, raw));
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
