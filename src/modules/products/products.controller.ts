import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
  RequirePermissions,
} from '../../core/auth';
import {
  ApiListQuery,
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
  AttributeSchemaDto,
  AttributeSchemaViewDto,
  CreateProductDto,
  ProductDto,
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

  @ReadRoute(
    'products:read',
    'This organization’s custom attribute definitions (ETag for If-Match)',
    AttributeSchemaViewDto,
    'attribute-schema',
  )
  attributeSchema(@ActiveOrganization() orgId: string): Promise<AttributeSchemaViewDto> {
    return this.products.attributeSchema(orgId);
  }

  @Put('attribute-schema')
  @RequirePermissions('products:manage')
  @ApiOperation({
    summary: 'Replace the custom attribute definitions products are checked against',
  })
  @ApiOkResponse({ type: AttributeSchemaViewDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  putAttributeSchema(
    @ActiveOrganization() orgId: string,
    @Body() dto: AttributeSchemaDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<AttributeSchemaViewDto> {
    return this.products.putAttributeSchema(orgId, dto, version, context);
  }

  @CreateRoute('products', 'products:manage', 'Create a product (status draft)', ProductDto)
  @ApiConflictResponse({ description: 'sku taken in this organization', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateProductDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<ProductDto> {
    return this.products.create(orgId, dto, context);
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
  ): Promise<ProductDto> {
    return this.products.update(orgId, id, dto, version, context);
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
