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
  Query,
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
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
  ErrorEnvelopeDto,
  IfMatch,
  ListDefinition,
  ListQueryParser,
  LocationOf,
  Page,
  PageOf,
} from '../../core/http';
import { CreateUserDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { UserFilter, UserSort } from './users.repository';
import { UsersService } from './users.service';

export const USER_LIST: ListDefinition<UserSort, UserFilter> = {
  sortable: ['email', 'fullName', 'createdAt'],
  defaultSort: 'email',
  filters: { isActive: 'boolean', q: 'string' },
};

@ApiTags('users')
@ApiNotFoundResponse({
  description: 'Not a member of the active organization',
  type: ErrorEnvelopeDto,
})
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('users:read')
  @ApiOperation({ summary: 'Users who are members of the active organization' })
  @ApiListQuery(USER_LIST)
  @ApiOkResponse({ type: PageOf(UserDto) })
  list(
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<UserDto>> {
    return this.users.list(orgId, this.lists.parse(USER_LIST, raw));
  }

  @Post()
  @LocationOf('users')
  @RequirePermissions('users:create', 'memberships:manage')
  @ApiOperation({ summary: 'Create a user and make them a member of the active organization' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'email already registered', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateUserDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<UserDto> {
    return this.users.create(orgId, dto, context);
  }

  @Get(':id')
  @RequirePermissions('users:read')
  @ApiOperation({ summary: 'One user (never their password hash or TOTP secret)' })
  @ApiOkResponse({ type: UserDto })
  get(
    @ActiveOrganization() orgId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<UserDto> {
    return this.users.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('users:update')
  @ApiOperation({ summary: 'Update profile or active flag (superuser flag: superusers only)' })
  @ApiOkResponse({ type: UserDto })
  update(
    @ActiveOrganization() orgId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateUserDto,
    @IfMatch() version: number | '*' | undefined,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<UserDto> {
    return this.users.update(orgId, id, dto, version, caller, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('users:delete')
  @ApiOperation({ summary: 'Deactivate a user and end their sessions' })
  @ApiNoContentResponse()
  async delete(
    @ActiveOrganization() orgId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.users.deactivate(orgId, id, caller, context);
  }
}
