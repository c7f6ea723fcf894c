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
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  LocationOf,
  Page,
  PageOf,
} from '../../core/http';
import { CATEGORY_LIST, CategoriesService } from './categories.service';
import {
  CategoryDto,
  CreateCategoryDto,
  MoveCategoryDto,
  UpdateCategoryDto,
} from './dto/category.dto';

@ApiTags('categories')
@ApiNotFoundResponse({
  description: 'No such category in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('categories')
export class CategoriesController {
  constructor(
    private readonly categories: CategoriesService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('categories:read')
  @ApiOperation({ summary: 'Categories of this organization (filter by type and parent)' })
  @ApiListQuery(CATEGORY_LIST)
  @ApiOkResponse({ type: PageOf(CategoryDto) })
  list(
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<CategoryDto>> {
    return this.categories.list(orgId, this.lists.parse(CATEGORY_LIST, raw));
  }

  @Post()
  @LocationOf('categories')
  @RequirePermissions('categories:manage')
  @ApiOperation({ summary: 'Create a category (a root, or under a parent of the same type)' })
  @ApiCreatedResponse({ type: CategoryDto })
  @ApiConflictResponse({ description: 'name taken under this parent', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateCategoryDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<CategoryDto> {
    return this.categories.create(orgId, dto, context);
  }

  @Get(':id')
  @RequirePermissions('categories:read')
  @ApiOperation({ summary: 'One category (ETag for If-Match)' })
  @ApiOkResponse({ type: CategoryDto })
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<CategoryDto> {
    return this.categories.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('categories:manage')
  @ApiOperation({ summary: 'Rename or describe a category' })
  @ApiOkResponse({ type: CategoryDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  @ApiConflictResponse({ description: 'name taken under this parent', type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateCategoryDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<CategoryDto> {
    return this.categories.update(orgId, id, dto, version, context);
  }

  @Post(':id/move')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('categories:manage')
  @ApiOperation({ summary: 'Move a category and its subtree (never under itself: 422 tree_cycle)' })
  @ApiOkResponse({ type: CategoryDto })
  move(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: MoveCategoryDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<CategoryDto> {
    return this.categories.move(orgId, id, dto, version, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('categories:manage')
  @ApiOperation({ summary: 'Delete a category with no children, products or contacts' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'still in use', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.categories.delete(orgId, id, version, context);
  }
}
