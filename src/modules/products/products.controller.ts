import { Body, Controller, Get, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
  CurrentPrincipal,
  Principal,
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
  ActionRoute,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  Page,
  PageOf,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  CreateProductDto,
  ProductDto,
  ProductLifecycleDto,
  ProductTransitionDto,
  UpdateProductDto,
} from './dto/product.dto';
import { PRODUCT_LIST, ProductsService } from './products.service';
import { ContentLanguage, type Language } from '../../core/i18n';

@ApiTags('products')
@ApiNotFoundResponse({
  description: 'No such product in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('products')
export class ProductsController {
  constructor(
    private readonly products: ProductsService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('products:read')
  @ApiOperation({
    summary: 'Products (page, or ?cursor= keyset with a single sort key for deep pages)',
  })
  @ApiListQuery(PRODUCT_LIST)
  @ApiOkResponse({ type: PageOf(ProductDto) })
  async list(
    @ActiveOrganization() orgId: string,
    @ListScope() scope: ListScope,
    @Query() raw: Record<string, unknown>,
    @ContentLanguage() language: Language | null,
  ): Promise<Page<ProductDto>> {
    const query = await this.lists.resolve(PRODUCT_LIST, raw, scope);
    return this.products.list(orgId, query, language);
  }

  @CreateRoute('products', 'products:manage', 'Create a product (status draft)', ProductDto)
  @ApiConflictResponse({ description: 'sku taken in this organization', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateProductDto,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<ProductDto> {
    return this.products.create(orgId, dto, context, caller);
  }

  @ReadRoute('products:read', 'One product (ETag for If-Match)', ProductDto)
  get(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @ContentLanguage() language: Language | null,
  ): Promise<ProductDto> {
    return this.products.get(orgId, id, language);
  }

  @UpdateRoute('products:manage', 'Change a product, including its lifecycle status', ProductDto)
  @ApiUnprocessableEntityResponse({
    description: '`invalid_transition`, or invalid fields',
    type: ErrorEnvelopeDto,
  })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateProductDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<ProductDto> {
    return this.products.update(orgId, id, dto, version, context, caller);
  }

  @ReadRoute(
    'products:read',
    'The lifecycle status and the actions it offers now (ETag: product version)',
    ProductLifecycleDto,
    ':id/transitions',
  )
  lifecycle(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
  ): Promise<ProductLifecycleDto> {
    return this.products.lifecycle(orgId, id);
  }

  @ActionRoute(
    ':id/transitions',
    'products:manage',
    'Apply a lifecycle action (If-Match: product version); answers the product',
    ProductDto,
  )
  @ApiUnprocessableEntityResponse({
    description: '`invalid_product_action`',
    type: ErrorEnvelopeDto,
  })
  transition(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: ProductTransitionDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
    @CurrentPrincipal() caller: Principal,
  ): Promise<ProductDto> {
    return this.products.applyAction(orgId, id, dto.action, version, context, caller);
  }

  @DeleteRoute('products:manage', 'Delete a product (soft: the ledger keeps it; its sku is freed)')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.products.delete(orgId, id, version, context);
  }
}
