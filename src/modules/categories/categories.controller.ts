import { Body, Controller, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { ActiveOrganization, AuditContext, AuditContextParam, ListScope } from '../../core/auth';
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

  @ListRoute(
    'categories:read',
    'Categories of this organization (filter by type and parent)',
    CATEGORY_LIST,
    CategoryDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<CategoryDto>> {
    return this.categories.list(orgId, await this.lists.resolve(CATEGORY_LIST, raw, scope));
  }

  @CreateRoute(
    'categories',
    'categories:manage',
    'Create a category (a root, or under a parent of the same type)',
    CategoryDto,
  )
  @ApiConflictResponse({ description: 'name taken under this parent', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateCategoryDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<CategoryDto> {
    return this.categories.create(orgId, dto, context);
  }

  @ReadRoute('categories:read', 'One category (ETag for If-Match)', CategoryDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<CategoryDto> {
    return this.categories.get(orgId, id);
  }

  @UpdateRoute('categories:manage', 'Rename or describe a category', CategoryDto)
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

  @ActionRoute(
    ':id/move',
    'categories:manage',
    'Move a category and its subtree (never under itself: 422 tree_cycle)',
    CategoryDto,
  )
  move(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: MoveCategoryDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<CategoryDto> {
    return this.categories.move(orgId, id, dto, version, context);
  }

  @DeleteRoute('categories:manage', 'Delete a category with no children, products or contacts')
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
