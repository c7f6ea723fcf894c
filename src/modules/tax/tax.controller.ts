import { Body, Controller, Get, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
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
import {
  CreateTaxCategoryDto,
  CreateTaxJurisdictionDto,
  CreateTaxRateDto,
  MoveTaxJurisdictionDto,
  TaxCategoryDto,
  TaxJurisdictionDto,
  TaxRateDto,
  TaxRateLookupDto,
  UpdateTaxCategoryDto,
  UpdateTaxJurisdictionDto,
  UpdateTaxRateDto,
} from './dto/tax.dto';
import { TAX_CATEGORY_LIST, TaxCategoriesService } from './tax-categories.service';
import { JURISDICTION_LIST, TaxJurisdictionsService } from './tax-jurisdictions.service';
import { TAX_RATE_LIST, TaxRatesService } from './tax-rates.service';

@ApiTags('tax')
@ApiNotFoundResponse({ description: 'Not in this organization', type: ErrorEnvelopeDto })
@Controller('tax-jurisdictions')
export class TaxJurisdictionsController {
  constructor(
    private readonly jurisdictions: TaxJurisdictionsService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'tax:read',
    'Tax jurisdictions (a tree: country → region → city)',
    JURISDICTION_LIST,
    TaxJurisdictionDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<TaxJurisdictionDto>> {
    return this.jurisdictions.list(orgId, await this.lists.resolve(JURISDICTION_LIST, raw, scope));
  }

  @CreateRoute('tax-jurisdictions', 'tax:manage', 'Create a jurisdiction', TaxJurisdictionDto)
  @ApiConflictResponse({ description: 'code taken', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateTaxJurisdictionDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxJurisdictionDto> {
    return this.jurisdictions.create(orgId, dto, context);
  }

  @ReadRoute('tax:read', 'One jurisdiction (ETag for If-Match)', TaxJurisdictionDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<TaxJurisdictionDto> {
    return this.jurisdictions.get(orgId, id);
  }

  @UpdateRoute('tax:manage', 'Change code, name or country', TaxJurisdictionDto)
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateTaxJurisdictionDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxJurisdictionDto> {
    return this.jurisdictions.update(orgId, id, dto, version, context);
  }

  @ActionRoute(
    ':id/move',
    'tax:manage',
    'Move a jurisdiction and its subtree (422 tree_cycle under itself)',
    TaxJurisdictionDto,
  )
  move(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: MoveTaxJurisdictionDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxJurisdictionDto> {
    return this.jurisdictions.move(orgId, id, dto, version, context);
  }

  @DeleteRoute('tax:manage', 'Delete a jurisdiction with no children and no rates')
  @ApiConflictResponse({ description: 'still in use', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.jurisdictions.delete(orgId, id, version, context);
  }
}

@ApiTags('tax')
@ApiNotFoundResponse({ description: 'Not in this organization', type: ErrorEnvelopeDto })
@Controller('tax-categories')
export class TaxCategoriesController {
  constructor(
    private readonly categories: TaxCategoriesService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'tax:read',
    'Tax categories (what is taxed: standard, reduced, exempt ...)',
    TAX_CATEGORY_LIST,
    TaxCategoryDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<TaxCategoryDto>> {
    return this.categories.list(orgId, await this.lists.resolve(TAX_CATEGORY_LIST, raw, scope));
  }

  @CreateRoute('tax-categories', 'tax:manage', 'Create a tax category', TaxCategoryDto)
  @ApiConflictResponse({ description: 'code taken', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateTaxCategoryDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxCategoryDto> {
    return this.categories.create(orgId, dto, context);
  }

  @ReadRoute('tax:read', 'One tax category (ETag for If-Match)', TaxCategoryDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<TaxCategoryDto> {
    return this.categories.get(orgId, id);
  }

  @UpdateRoute('tax:manage', 'Change a tax category', TaxCategoryDto)
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateTaxCategoryDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxCategoryDto> {
    return this.categories.update(orgId, id, dto, version, context);
  }

  @DeleteRoute('tax:manage', 'Delete a tax category no rate uses')
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

@ApiTags('tax')
@ApiNotFoundResponse({ description: 'Not in this organization', type: ErrorEnvelopeDto })
@Controller('tax-rates')
export class TaxRatesController {
  constructor(
    private readonly rates: TaxRatesService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'tax:read',
    'Tax rates (filter by jurisdiction, category, activeOn date)',
    TAX_RATE_LIST,
    TaxRateDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<TaxRateDto>> {
    return this.rates.list(orgId, await this.lists.resolve(TAX_RATE_LIST, raw, scope));
  }

  @Get('lookup')
  @RequirePermissions('tax:read')
  @ApiOperation({
    summary: 'The rate in force on a date (falls back to the nearest ancestor jurisdiction)',
  })
  @ApiOkResponse({ type: TaxRateDto })
  lookup(
    @ActiveOrganization() orgId: string,
    @Query() query: TaxRateLookupDto,
  ): Promise<TaxRateDto> {
    return this.rates.lookup(orgId, query);
  }

  @CreateRoute(
    'tax-rates',
    'tax:manage',
    'Create a rate; its validity may not overlap another of the pair',
    TaxRateDto,
  )
  @ApiConflictResponse({
    description: 'validity overlaps an existing rate',
    type: ErrorEnvelopeDto,
  })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateTaxRateDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxRateDto> {
    return this.rates.create(orgId, dto, context);
  }

  @ReadRoute('tax:read', 'One rate (ETag for If-Match)', TaxRateDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<TaxRateDto> {
    return this.rates.get(orgId, id);
  }

  @UpdateRoute('tax:manage', 'Change name, rate or validity (no overlap: 409)', TaxRateDto)
  @ApiConflictResponse({
    description: 'validity overlaps an existing rate',
    type: ErrorEnvelopeDto,
  })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateTaxRateDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxRateDto> {
    return this.rates.update(orgId, id, dto, version, context);
  }

  @DeleteRoute('tax:manage', 'Delete a rate')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.rates.delete(orgId, id, version, context);
  }
}
