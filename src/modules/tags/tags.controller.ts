import { Body, Controller, Put, Query, Get, Param } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
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
  ActionRoute,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  ListRoute,
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import { CreateTagDto, MergeTagDto, TagDto, TaggingsDto, UpdateTagDto } from './dto/tag.dto';
import { TAG_LIST, TagsService } from './tags.service';

/** The organization's tag registry (SPEC-P3 §2): autocomplete with counts, CRUD, merge. */
@ApiTags('tags')
@ApiNotFoundResponse({ description: 'No such tag in this organization', type: ErrorEnvelopeDto })
@Controller('tags')
export class TagsController {
  constructor(
    private readonly tags: TagsService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'tags:read',
    'Tags with usage counts; `q` autocompletes (start of the name or of a word, ignoring case and Unicode form), `entityType` keeps the tags allowed on it and counts its records',
    TAG_LIST,
    TagDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<TagDto>> {
    return this.tags.list(orgId, await this.lists.resolve(TAG_LIST, raw, scope));
  }

  @CreateRoute('tags', 'tags:create', 'Create a tag', TagDto)
  @ApiConflictResponse({ description: '`tag_name_taken`', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateTagDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<TagDto> {
    return this.tags.create(orgId, dto, context);
  }

  @ReadRoute('tags:read', 'One tag with its usage count (ETag for If-Match)', TagDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<TagDto> {
    return this.tags.get(orgId, id);
  }

  @UpdateRoute(
    'tags:update',
    'Rename, recolour or re-scope a tag (taggings kept; each tagged record is audited)',
    TagDto,
  )
  @ApiConflictResponse({ description: '`tag_name_taken`', type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateTagDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<TagDto> {
    return this.tags.update(orgId, id, dto, version, context);
  }

  @ActionRoute(
    ':id/merge',
    'tags:manage',
    'Merge this tag into `targetId`: its taggings move there (deduplicated), it is deleted; one transaction. Answers the target tag',
    TagDto,
  )
  merge(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: MergeTagDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<TagDto> {
    return this.tags.merge(orgId, id, dto.targetId, version, context);
  }

  @DeleteRoute('tags:delete', 'Delete a tag and remove it from every record')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.tags.delete(orgId, id, version, context);
  }
}

const ENTITY_TYPE = ApiParam({
  name: 'entityType',
  description:
    'A registered target type (product, contact, warehouse, stock-location, category, …)',
});

/**
 * The tags of one record. The record's own permissions apply (read to see, update to change),
 * checked by the targets registry: an unknown type, a missing, other-tenant or unreadable record
 * are all 404.
 */
@ApiTags('tags')
@ApiNotFoundResponse({ description: 'No such record you can read', type: ErrorEnvelopeDto })
@Controller('taggings/:entityType/:entityId')
export class TaggingsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  @RequirePermissions()
  @ENTITY_TYPE
  @ApiOperation({ summary: "The record's tags (needs its read permission)" })
  @ApiOkResponse({ type: TaggingsDto })
  async get(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @Param('entityType') entityType: string,
    @IdParam('entityId') entityId: string,
  ): Promise<TaggingsDto> {
    return { tags: await this.tags.tagsOf(orgId, caller, entityType, entityId) };
  }

  @Put()
  @RequirePermissions()
  @ENTITY_TYPE
  @ApiOperation({
    summary:
      "Replace the record's tags (needs its update permission; unknown names create tags with tags:create, else 422)",
  })
  @ApiOkResponse({ type: TaggingsDto })
  @ApiUnprocessableEntityResponse({
    description: '`unknown_tag`, `tag_not_allowed`, `too_many_tags`, `invalid_tag_name`',
    type: ErrorEnvelopeDto,
  })
  async put(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() caller: Principal,
    @Param('entityType') entityType: string,
    @IdParam('entityId') entityId: string,
    @Body() dto: TaggingsDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaggingsDto> {
    return {
      tags: await this.tags.replaceTags(orgId, caller, entityType, entityId, dto.tags, context),
    };
  }
}
