import { Body, Controller, Param, Put } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
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
import { ErrorEnvelopeDto, IdParam, ReadRoute } from '../../core/http';
import { ContentTranslationsService } from './content-translations.service';
import { ContentTranslationsDto, PutContentTranslationsDto } from './dto/content-translations.dto';
import { TRANSLATABLE } from './translatable';

@ApiTags('content-translations')
@ApiParam({ name: 'type', enum: Object.keys(TRANSLATABLE) })
@ApiNotFoundResponse({ description: 'No such entity in this organization', type: ErrorEnvelopeDto })
@ApiForbiddenResponse({
  description: 'Also needs the entity’s own read (GET) or manage (PUT) permission',
  type: ErrorEnvelopeDto,
})
@Controller('content-translations')
export class ContentTranslationsController {
  constructor(private readonly translations: ContentTranslationsService) {}

  @ReadRoute(
    'content-translations:read',
    'The translations of an entity’s content fields, by language',
    ContentTranslationsDto,
    ':type/:id',
  )
  get(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Param('type') type: string,
    @IdParam() id: string,
  ): Promise<ContentTranslationsDto> {
    return this.translations.get(orgId, principal, type, id);
  }

  @Put(':type/:id')
  @RequirePermissions('content-translations:manage')
  @ApiOperation({
    summary: 'Replace the translations of an entity’s content fields (audited)',
    description:
      'Responses about the entity in another language than the organization’s take each field from its translation, falling back to the entity’s own value.',
  })
  @ApiOkResponse({ type: ContentTranslationsDto })
  put(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Param('type') type: string,
    @IdParam() id: string,
    @Body() dto: PutContentTranslationsDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<ContentTranslationsDto> {
    return this.translations.put(orgId, principal, type, id, dto.translations, context);
  }
}
