import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
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
  ListScope,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import {
  defineList,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListDefinition,
  ListQueryParser,
  ListRoute,
  LocationOf,
  Page,
} from '../../core/http';
import { CreateUserDto, UpdateOwnProfileDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { UserFilter, UserSort } from './users.repository';
import { UsersService } from './users.service';

export const USER_LIST: ListDefinition<UserSort, UserFilter> = defineList({
  resource: 'users',
  sortable: ['email', 'fullName', 'createdAt'],
  defaultSort: 'email',
  filters: { isActive: 'boolean', q: 'string' },
  fields: {
    id: { type: 'uuid', column: 'u.id' },
    email: { type: 'text', column: 'u.email' },
    fullName: { type: 'string', column: 'u.full_name' },
    isActive: { type: 'boolean', column: 'u.is_active' },
    createdAt: { type: 'datetime', column: 'u.created_at' },
    memberSince: { type: 'datetime', column: 'm.created_at' },
  },
});

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

  @ListRoute('users:read', 'Users who are members of the active organization', USER_LIST, UserDto)
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<UserDto>> {
    return this.users.list(orgId, await this.lists.resolve(USER_LIST, raw, scope));
  }

  @Post()
  @LocationOf('users')
  @RequirePermissions('users:create')
  @ApiOperation({
    summary:
      'Superusers: create an account and make it a member of the active organization (organizations invite instead: POST /invitations)',
  })
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'email already registered', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateUserDto,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<UserDto> {
    return this.users.create(orgId, dto, caller, context);
  }

  @Get(':id')
  @RequirePermissions('users:read')
  @ApiOperation({
    summary:
      'One member of the active organization (superusers: any account); never the password hash or TOTP secret',
  })
  @ApiOkResponse({ type: UserDto })
  get(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @CurrentPrincipal() caller: Principal,
  ): Promise<UserDto> {
    return this.users.get(orgId, id, caller);
  }

  @Patch(':id')
  @RequirePermissions('users:update')
  @ApiOperation({
    summary:
      'Superusers: change an account (profile, email, active and superuser flags); people change their own through PATCH /auth/me',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiConflictResponse({
    description: '`last_superuser`: the last active superuser cannot be demoted or deactivated',
    type: ErrorEnvelopeDto,
  })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateUserDto,
    @IfMatch() version: ExpectedVersion,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<UserDto> {
    return this.users.update(orgId, id, dto, version, caller, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('users:delete')
  @ApiOperation({
    summary:
      'Superusers: deactivate an account everywhere and end its sessions (organizations suspend or remove the membership instead)',
  })
  @ApiConflictResponse({ description: '`last_superuser`', type: ErrorEnvelopeDto })
  @ApiNoContentResponse()
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.users.deactivate(orgId, id, caller, context);
  }
}

/**
 * The person's own account (`/auth/me`): routes that need a person answer 403 `user_required` to
 * an API key. Kept in this module because the account rules live here; `GET /auth/me` is auth's.
 */
@ApiTags('auth')
@Controller('auth/me')
export class MyAccountController {
  constructor(private readonly users: UsersService) {}

  @Patch()
  @RequirePermissions()
  @ApiOperation({
    summary:
      'Change my own profile (name, language, timezone); not for API keys (403 `user_required`)',
  })
  @ApiOkResponse({ type: UserDto })
  updateMe(
    @Body() dto: UpdateOwnProfileDto,
    @IfMatch() version: ExpectedVersion,
    @CurrentPrincipal() caller: Principal,
    @AuditContextParam() context: AuditContext,
  ): Promise<UserDto> {
    return this.users.updateOwnProfile(caller, dto, version, context);
  }
}
