import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  CurrentPrincipal,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import { ErrorEnvelopeDto } from '../../core/http';
import { SearchQueryDto, SearchResultDto } from './dto/search.dto';
import { SearchService } from './search.service';

@ApiTags('search')
@Controller('search')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  // Each type needs its own read permission (products:read, contacts:read), checked per request.
  @RequirePermissions()
  @ApiOperation({
    summary: 'Search products and contacts of the active organization (ranked, highlighted)',
  })
  @ApiOkResponse({ type: SearchResultDto })
  @ApiForbiddenResponse({
    description: 'A requested type you may not read',
    type: ErrorEnvelopeDto,
  })
  @ApiUnprocessableEntityResponse({ type: ErrorEnvelopeDto })
  find(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Query() query: SearchQueryDto,
  ): Promise<SearchResultDto> {
    return this.search.search(orgId, principal, query.q, query.types, query.limit);
  }
}
