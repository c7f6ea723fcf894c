import { Body, Controller, Patch } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  RequirePermissions,
} from '../../core/auth';
import {
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ReadRoute,
} from '../../core/http';
import { CreateRoleDto, RoleDto, UpdateRoleDto } from './dto/role.dto';
import { RolesService } from './roles.service';

@ApiTags('access')
@ApiNotFoundResponse({ description: 'No such role in this organization', type: ErrorEnvelopeDto })
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @ReadRoute(
    'roles:read',
    'System roles and this organization’s roles, with their permissions',
    [RoleDto],
    '',
  )
  list(@ActiveOrganization() orgId: string): Promise<RoleDto[]> {
    return this.roles.list(orgId);
  }

  @CreateRoute('roles', 'roles:manage', 'Create a role for this organization', RoleDto)
  @ApiConflictResponse({
    description: 'name already used in this organization',
    type: ErrorEnvelopeDto,
  })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateRoleDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<RoleDto> {
    return this.roles.create(orgId, dto, context);
  }

  @ReadRoute('roles:read', 'One role', RoleDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<RoleDto> {
    return this.roles.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('roles:manage')
  @ApiOperation({
    summary: 'Rename or change the permissions of a tenant role (takes effect at once)',
  })
  @ApiOkResponse({ type: RoleDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateRoleDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<RoleDto> {
    return this.roles.update(orgId, id, dto, version, context);
  }

  @DeleteRoute('roles:manage', 'Delete an unused tenant role')
  @ApiConflictResponse({ description: '`role_in_use`', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.roles.delete(orgId, id, version, context);
  }
}
