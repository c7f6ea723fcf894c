import '@fastify/multipart';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Patch,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBody,
  ApiNoContentResponse,
  ApiPreconditionFailedResponse,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  CurrentUserId,
  ListScope,
  Principal,
  RequirePermissions,
  RequireUser,
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
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  DirectoryEntryDto,
  MemberProfileDto,
  PersonProfileDto,
  UpdateMemberProfileDto,
  UpdateMyProfileDto,
  UploadAvatarDto,
  UserProfileDto,
} from './dto/profile.dto';
import { ProfilesErrors } from './profiles.errors';
import { AVATAR_MAX_BYTES, ProfilesService } from './profiles.service';

/** `GET /members`: by folded name, `?q=` prefix of name, a word of it or email; keyset cursor. */
export const MEMBER_DIRECTORY: ListDefinition<'name', 'q'> = defineList({
  resource: 'member-directory',
  sortable: ['name'],
  defaultSort: 'name',
  filters: { q: 'string' },
  cursor: true,
  fields: {
    userId: { type: 'uuid', column: 'u.id' },
    fullName: { type: 'string', column: 'u.full_name' },
    email: { type: 'text', column: 'u.email' },
  },
});

/** The caller's own profile and avatar (a person only: API keys get 403 `user_required`). */
@ApiTags('profiles')
@Controller('me')
export class MyProfileController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get('profile')
  @RequirePermissions()
  @RequireUser()
  @ApiOperation({ summary: 'My profile (ETag for If-Match); made empty on first use' })
  @ApiOkResponse({ type: UserProfileDto })
  get(@CurrentUserId() userId: string): Promise<UserProfileDto> {
    return this.profiles.myProfile(userId);
  }

  @Patch('profile')
  @RequirePermissions()
  @RequireUser()
  @ApiOperation({
    summary: 'Change my profile: job title, E.164 phone, working hours, out of office, delegate',
  })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description: '`validation_error` per field; `invalid_delegate`',
    type: ErrorEnvelopeDto,
  })
  update(
    @CurrentPrincipal() caller: Principal,
    @CurrentUserId() userId: string,
    @Body() dto: UpdateMyProfileDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<UserProfileDto> {
    return this.profiles.updateMyProfile(caller, userId, dto, version, context);
  }

  @Put('avatar')
  @RequirePermissions()
  @RequireUser()
  @ApiOperation({
    summary:
      'Upload my avatar (multipart field "file": PNG/JPEG/GIF/WebP by its bytes, ≤ 5 MB) into the active organization’s files',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadAvatarDto })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiUnprocessableEntityResponse({
    description: '`avatar_not_image`, `avatar_too_large`, `multipart_required`',
    type: ErrorEnvelopeDto,
  })
  async putAvatar(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @Req() request: FastifyRequest,
    @AuditContextParam() context: AuditContext,
  ): Promise<UserProfileDto> {
    if (!request.isMultipart()) throw ProfilesErrors.multipart_required();
    // One byte over the limit is enough to know it is too large.
    const part = await request.file({ limits: { fileSize: AVATAR_MAX_BYTES + 1, files: 1 } });
    if (!part || part.fieldname !== 'file') throw ProfilesErrors.multipart_required();
    return this.profiles.setAvatar(
      orgId,
      userId,
      { stream: part.file, filename: part.filename },
      context,
    );
  }

  @Delete('avatar')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions()
  @RequireUser()
  @ApiOperation({ summary: 'Remove my avatar (the stored file stays)' })
  @ApiNoContentResponse()
  async deleteAvatar(
    @CurrentPrincipal() caller: Principal,
    @CurrentUserId() userId: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.profiles.clearAvatar(userId, caller.organizationId, context);
  }
}

/** The member directory and each organization's record of its members. */
@ApiTags('profiles')
@ApiNotFoundResponse({ description: 'Not a member of this organization', type: ErrorEnvelopeDto })
@Controller('members')
export class MembersController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'profiles:read',
    'Directory of the active members (mention lookup): name, work email, job title, avatar',
    MEMBER_DIRECTORY,
    DirectoryEntryDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<DirectoryEntryDto>> {
    return this.profiles.directory(orgId, await this.lists.resolve(MEMBER_DIRECTORY, raw, scope));
  }

  @UpdateRoute(
    'profiles:manage',
    'Change what the organization keeps about a member (employee id, manager, department, employment, private notes)',
    MemberProfileDto,
    ':id/profile',
  )
  @ApiUnprocessableEntityResponse({
    description:
      '`validation_error`; `invalid_manager`, `manager_cycle`, `invalid_employment_dates`',
    type: ErrorEnvelopeDto,
  })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() userId: string,
    @Body() dto: UpdateMemberProfileDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<MemberProfileDto> {
    return this.profiles.updateMemberProfile(orgId, userId, dto, version, context);
  }
}

/** Another person's profile, when they share an organization with the caller. */
@ApiTags('profiles')
@ApiNotFoundResponse({
  description: 'No active user sharing an organization with you',
  type: ErrorEnvelopeDto,
})
@Controller('users')
export class UserProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @ReadRoute(
    'profiles:read',
    'A person’s profile and the active organization’s record of them (private fields need profiles:read-private)',
    PersonProfileDto,
    ':id/profile',
  )
  @RequireUser()
  get(
    @CurrentPrincipal() caller: Principal,
    @CurrentUserId() viewerId: string,
    @ActiveOrganization() orgId: string,
    @IdParam() userId: string,
  ): Promise<PersonProfileDto> {
    return this.profiles.personProfile(caller, viewerId, orgId, userId);
  }
}
