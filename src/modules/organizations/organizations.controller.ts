import { Body, Controller, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
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
  ListScope,
  RequirePermissions,
} from '../../core/auth';
import {
  ActionRoute,
  CreateRoute,
  defineList,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListDefinition,
  ListQueryParser,
  ListRoute,
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  ArchiveOrganizationQueryDto,
  CreateOrganizationDto,
  MoveOrganizationDto,
  OrganizationDto,
  ORGANIZATION_STATUSES,
  UpdateOrganizationDto,
} from './dto/organization.dto';
import { OrganizationFilter, OrganizationSort } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

export const ORGANIZATION_LIST: ListDefinition<OrganizationSort, OrganizationFilter> = defineList({
  resource: 'organizations',
  sortable: ['name', 'code', 'createdAt', 'depth'],
  defaultSort: 'depth,name',
  filters: {
    status: { enum: ORGANIZATION_STATUSES },
    typeCode: 'string',
    parentId: 'uuid',
    q: 'string',
  },
  fields: {
    id: { type: 'uuid', column: 'organizations.id' },
    code: { type: 'string', column: 'organizations.code' },
    name: { type: 'string', column: 'organizations.name' },
    status: { type: { enum: ORGANIZATION_STATUSES }, column: 'organizations.status' },
    typeCode: { type: 'string', column: 'organizations.type_code' },
    parentId: { type: 'uuid', column: 'organizations.parent_id' },
    depth: { type: 'int', column: 'organizations.depth' },
    timezone: { type: 'text', column: 'organizations.timezone' },
    createdAt: { type: 'datetime', column: 'organizations.created_at' },
  },
});

@ApiTags('organizations')
@ApiNotFoundResponse({ description: 'Not in your organization subtree', type: ErrorEnvelopeDto })
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'organizations:read',
    'The active organization and its descendants',
    ORGANIZATION_LIST,
    OrganizationDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<OrganizationDto>> {
    return this.organizations.list(orgId, await this.lists.resolve(ORGANIZATION_LIST, raw, scope));
  }

  @CreateRoute(
    'organizations',
    'organizations:create',
    'Create a child organization (under parentId, default the active one)',
    OrganizationDto,
  )
  @ApiConflictResponse({ description: 'code already used', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateOrganizationDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<OrganizationDto> {
    return this.organizations.create(orgId, dto, context);
  }

  @ReadRoute('organizations:read', 'One organization (ETag for If-Match)', OrganizationDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<OrganizationDto> {
    return this.organizations.get(orgId, id);
  }

  @UpdateRoute(
    'organizations:update',
    'Update name, code, type, currency, timezone (If-Match honoured)',
    OrganizationDto,
  )
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateOrganizationDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<OrganizationDto> {
    return this.organizations.update(orgId, id, dto, version, context);
  }

  @Post(':id/archive')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('organizations:update')
  @ApiOperation({
    summary: 'Archive (not the active organization itself); ?cascade=true archives the subtree',
    description:
      'An archived organization is read-only for its members and API keys (403 ' +
      '`organization_archived` on every write in its context) until restored.',
  })
  @ApiOkResponse({ type: OrganizationDto })
  @ApiConflictResponse({
    description: '`active_descendants`: a descendant is still active and cascade was not asked',
    type: ErrorEnvelopeDto,
  })
  archive(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Query() query: ArchiveOrganizationQueryDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<OrganizationDto> {
    return this.organizations.archive(orgId, id, query.cascade === 'true', context);
  }

  @Post(':id/restore')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('organizations:update')
  @ApiOperation({
    summary: 'Restore an archived organization (from its parent’s context); only that node',
    description: 'Refused with 422 `parent_archived` while its parent is archived.',
  })
  @ApiOkResponse({ type: OrganizationDto })
  @ApiUnprocessableEntityResponse({
    description: '`parent_archived`: restore the parent first',
    type: ErrorEnvelopeDto,
  })
  restore(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<OrganizationDto> {
    return this.organizations.restore(orgId, id, context);
  }

  @ActionRoute(
    ':id/move',
    'organizations:update',
    'Move under another parent (refuses cycles); the subtree follows',
    OrganizationDto,
  )
  move(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: MoveOrganizationDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<OrganizationDto> {
    return this.organizations.move(orgId, id, dto.parentId, context);
  }

  @ReadRoute('organizations:read', 'Direct children', [OrganizationDto], ':id/children')
  children(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<OrganizationDto[]> {
    return this.organizations.children(orgId, id);
  }

  @ReadRoute(
    'organizations:read',
    'Every organization below, by depth',
    [OrganizationDto],
    ':id/descendants',
  )
  descendants(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
  ): Promise<OrganizationDto[]> {
    return this.organizations.descendants(orgId, id);
  }

  @ReadRoute(
    'organizations:read',
    'Ancestors within your scope, root first',
    [OrganizationDto],
    ':id/ancestors',
  )
  ancestors(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
  ): Promise<OrganizationDto[]> {
    return this.organizations.ancestors(orgId, id);
  }
}
