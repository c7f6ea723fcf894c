import { Body, Controller, Query } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  CurrentUserId,
  Principal,
  RequireUser,
} from '../../core/auth';
import {
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  CreateSavedFilterDto,
  SavedFilterDto,
  SavedFilterQueryDto,
  UpdateSavedFilterDto,
} from './dto/saved-filter.dto';
import { SavedFiltersService } from './saved-filters.service';

const INVALID = {
  description: '`unknown_resource`, `invalid_saved_filter` (at `/filter`, `/sort` or `/columns`)',
  type: ErrorEnvelopeDto,
};
const FORBIDDEN = {
  description:
    '`share_not_allowed` (sharing needs saved-filters:share), `not_owner` (someone else’s shared filter), `user_required`',
  type: ErrorEnvelopeDto,
};

@ApiTags('saved-filters')
@ApiNotFoundResponse({
  description: 'No such saved filter among the caller’s own and the organization’s shared ones',
  type: ErrorEnvelopeDto,
})
@Controller('saved-filters')
export class SavedFiltersController {
  constructor(private readonly savedFilters: SavedFiltersService) {}

  @ReadRoute(
    'saved-filters:read',
    'The caller’s own and the organization’s shared saved filters (at most 500), by list, own first, then name',
    [SavedFilterDto],
    '',
  )
  @RequireUser()
  list(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @Query() query: SavedFilterQueryDto,
  ): Promise<SavedFilterDto[]> {
    return this.savedFilters.list(orgId, userId, query.resource);
  }

  @ReadRoute('saved-filters:read', 'One own or shared saved filter', SavedFilterDto)
  @RequireUser()
  get(
    @ActiveOrganization() orgId: string,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
  ): Promise<SavedFilterDto> {
    return this.savedFilters.get(orgId, userId, id);
  }

  @CreateRoute(
    'saved-filters',
    'saved-filters:create',
    'Save a filter (view) of a list; shared ones need saved-filters:share',
    SavedFilterDto,
  )
  @RequireUser()
  @ApiForbiddenResponse(FORBIDDEN)
  @ApiUnprocessableEntityResponse(INVALID)
  create(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @Body() dto: CreateSavedFilterDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<SavedFilterDto> {
    return this.savedFilters.create(
      orgId,
      { userId, permissions: principal.permissions },
      dto,
      context,
    );
  }

  @UpdateRoute(
    'saved-filters:create',
    'Change an own saved filter (resource is immutable; If-Match honoured)',
    SavedFilterDto,
  )
  @RequireUser()
  @ApiForbiddenResponse(FORBIDDEN)
  @ApiUnprocessableEntityResponse(INVALID)
  update(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Body() dto: UpdateSavedFilterDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<SavedFilterDto> {
    return this.savedFilters.update(
      orgId,
      { userId, permissions: principal.permissions },
      id,
      dto,
      version,
      context,
    );
  }

  @DeleteRoute('saved-filters:create', 'Delete an own saved filter')
  @RequireUser()
  @ApiForbiddenResponse(FORBIDDEN)
  async delete(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.savedFilters.delete(
      orgId,
      { userId, permissions: principal.permissions },
      id,
      version,
      context,
    );
  }
}
