import { Body, Controller, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
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
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListDefinition,
  ListQueryParser,
  LocationOf,
  Page,
  PageOf,
} from '../../core/http';
import {
  CreateOrganizationDto,
  MoveOrganizationDto,
  OrganizationDto,
  ORGANIZATION_STATUSES,
  UpdateOrganizationDto,
} from './dto/organization.dto';
import { OrganizationFilter, OrganizationSort } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

export const ORGANIZATION_LIST: ListDefinition<OrganizationSort, OrganizationFilter> = {
  sortable: ['name', 'code', 'createdAt', 'depth'],
  defaultSort: 'depth,name',
  filters: {
    status: { enum: ORGANIZATION_STATUSES },
    typeCode: 'string',
    parentId: 'uuid',
    q: 'string',
  },
};

@ApiTags('organizations')
@ApiNotFoundResponse({ description: 'Not in your organization subtree', type: ErrorEnvelopeDto })
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('organizations:read')
  @ApiOperation({ summary: 'The active organization and its descendants' })
  @ApiListQuery(ORGANIZATION_LIST)
  @ApiOkResponse({ type: PageOf(OrganizationDto) })
  list(
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<OrganizationDto>> {
    return this.organizations.list(orgId, this.lists.parse(ORGANIZATION_LIST, raw));
  }

  @Post()
  @LocationOf('organizations')
  @RequirePermissions('organizations:create')
  @ApiOperation({ summary: 'Create a child organization (under parentId, default the active one)' })
  @ApiCreatedResponse({ type: OrganizationDto })
  @ApiConflictResponse({ description: 'code already used', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateOrganizationDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<OrganizationDto> {
    return this.organizations.create(orgId, dto, context);
  }

  @Get(':id')
  @RequirePermissions('organizations:read')
  @ApiOperation({ summary: 'One organization (ETag for If-Match)' })
  @ApiOkResponse({ type: OrganizationDto })
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<OrganizationDto> {
    return this.organizations.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('organizations:update')
  @ApiOperation({ summary: 'Update name, code, type, currency, timezone (If-Match honoured)' })
  @ApiOkResponse({ type: OrganizationDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
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
  @ApiOperation({ summary: 'Archive (not the active organization itself)' })
  @ApiOkResponse({ type: OrganizationDto })
  archive(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<OrganizationDto> {
    return this.organizations.archive(orgId, id, context);
  }

  @Post(':id/restore')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('organizations:update')
  @ApiOperation({ summary: 'Restore an archived organization' })
  @ApiOkResponse({ type: OrganizationDto })
  restore(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<OrganizationDto> {
    return this.organizations.restore(orgId, id, context);
  }

  @Post(':id/move')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('organizations:update')
  @ApiOperation({ summary: 'Move under another parent (refuses cycles); the subtree follows' })
  @ApiOkResponse({ type: OrganizationDto })
  move(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: MoveOrganizationDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<OrganizationDto> {
    return this.organizations.move(orgId, id, dto.parentId, context);
  }

  @Get(':id/children')
  @RequirePermissions('organizations:read')
  @ApiOperation({ summary: 'Direct children' })
  @ApiOkResponse({ type: [OrganizationDto] })
  children(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<OrganizationDto[]> {
    return this.organizations.children(orgId, id);
  }

  @Get(':id/descendants')
  @RequirePermissions('organizations:read')
  @ApiOperation({ summary: 'Every organization below, by depth' })
  @ApiOkResponse({ type: [OrganizationDto] })
  descendants(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
  ): Promise<OrganizationDto[]> {
    return this.organizations.descendants(orgId, id);
  }

  @Get(':id/ancestors')
  @RequirePermissions('organizations:read')
  @ApiOperation({ summary: 'Ancestors within your scope, root first' })
  @ApiOkResponse({ type: [OrganizationDto] })
  ancestors(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
  ): Promise<OrganizationDto[]> {
    return this.organizations.ancestors(orgId, id);
  }
}
