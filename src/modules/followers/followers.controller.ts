import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  CurrentPrincipal,
  CurrentUserId,
  Principal,
  RequirePermissions,
  RequireUser,
} from '../../core/auth';
import { ErrorEnvelopeDto, IdParam } from '../../core/http';
import { AddFollowerDto, FollowerDto } from './dto/follower.dto';
import { FollowersService } from './followers.service';

const ENTITY_TYPE = ApiParam({
  name: 'entityType',
  description:
    'A registered target type (product, contact, warehouse, stock-location, category, …)',
});

/**
 * Followers of a record. The record's own permissions apply (read to see and follow, update to
 * add someone else), checked by the targets registry: an unknown type, a missing, other-tenant or
 * unreadable record are all 404.
 */
@ApiTags('followers')
@ApiNotFoundResponse({ description: 'No such record you can read', type: ErrorEnvelopeDto })
@Controller('followers/:entityType/:entityId')
export class FollowersController {
  constructor(private readonly followers: FollowersService) {}

  @Get()
  @RequirePermissions()
  @ENTITY_TYPE
  @ApiOperation({ summary: "The record's followers (needs its read permission)" })
  @ApiOkResponse({ type: [FollowerDto] })
  list(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @Param('entityType') entityType: string,
    @IdParam('entityId') entityId: string,
  ): Promise<FollowerDto[]> {
    return this.followers.list(orgId, caller, { entityType, entityId });
  }

  @Put('me')
  @RequirePermissions()
  @RequireUser()
  @ENTITY_TYPE
  @ApiOperation({ summary: 'Follow the record (idempotent; needs its read permission)' })
  @ApiOkResponse({ type: FollowerDto })
  follow(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @CurrentUserId() userId: string,
    @Param('entityType') entityType: string,
    @IdParam('entityId') entityId: string,
  ): Promise<FollowerDto> {
    return this.followers.follow(orgId, caller, userId, { entityType, entityId });
  }

  @Delete('me')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions()
  @RequireUser()
  @ENTITY_TYPE
  @ApiOperation({ summary: 'Stop following the record (idempotent)' })
  @ApiNoContentResponse()
  async unfollow(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @CurrentUserId() userId: string,
    @Param('entityType') entityType: string,
    @IdParam('entityId') entityId: string,
  ): Promise<void> {
    await this.followers.unfollow(orgId, caller, userId, { entityType, entityId });
  }

  @Post()
  @HttpCode(HttpStatus.OK)
  @RequirePermissions()
  @ENTITY_TYPE
  @ApiOperation({
    summary: "Add a colleague who can read the record (needs the record's update permission)",
  })
  @ApiOkResponse({ type: FollowerDto })
  add(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @Param('entityType') entityType: string,
    @IdParam('entityId') entityId: string,
    @Body() dto: AddFollowerDto,
  ): Promise<FollowerDto> {
    return this.followers.addFollower(orgId, caller, { entityType, entityId }, dto.userId);
  }
}
