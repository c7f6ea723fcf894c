import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Res,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  RequirePermissions,
} from '../../core/auth';
import { ErrorEnvelopeDto, IfMatch } from '../../core/http';
import { CreateRoleDto, RoleDto, UpdateRoleDto } from './dto/role.dto';
import { RolesService } from './roles.service';

@ApiTags('access')
@ApiNotFoundResponse({ description: 'No such role in this organization', type: ErrorEnvelopeDto })
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @RequirePermissions('roles:read')
  @ApiOperation({ summary: 'System roles and this organization’s roles, with their permissions' })
  @ApiOkResponse({ type: [RoleDto] })
  list(@ActiveOrganization() orgId: string): Promise<RoleDto[]> {
    return this.roles.list(orgId);
  }

  @Post()
  @RequirePermissions('roles:manage')
  @ApiOperation({ summary: 'Create a role for this organization' })
  @ApiCreatedResponse({ type: RoleDto })
  @ApiConflictResponse({
    description: 'name already used in this organization',
    type: ErrorEnvelopeDto,
  })
  async create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateRoleDto,
    @AuditContextParam() context: AuditContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RoleDto> {
    const role = await this.roles.create(orgId, dto, context);
    void reply.header('Location', `/api/v1/roles/${role.id}`);
    return role;
  }

  @Get(':id')
  @RequirePermissions('roles:read')
  @ApiOperation({ summary: 'One role' })
  @ApiOkResponse({ type: RoleDto })
  get(
    @ActiveOrganization() orgId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<RoleDto> {
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
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateRoleDto,
    @IfMatch() version: number | '*' | undefined,
    @AuditContextParam() context: AuditContext,
  ): Promise<RoleDto> {
    return this.roles.update(orgId, id, dto, version, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('roles:manage')
  @ApiOperation({ summary: 'Delete an unused tenant role' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: '`role_in_use`', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @IfMatch() version: number | '*' | undefined,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.roles.delete(orgId, id, version, context);
  }
}
