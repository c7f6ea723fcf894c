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

type Version = ExpectedVersion;

@ApiTags('tax')
@ApiNotFoundResponse({ description: 'Not in this organization', type: ErrorEnvelopeDto })
@Controller('tax-jurisdictions')
export class TaxJurisdictionsController {
  constructor(
    private readonly jurisdictions: TaxJurisdictionsService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('tax:read')
  @ApiOperation({ summary: 'Tax jurisdictions (a tree: country → region → city)' })
  @ApiListQuery(JURISDICTION_LIST)
  @ApiOkResponse({ type: PageOf(TaxJurisdictionDto) })
  list(
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<TaxJurisdictionDto>> {
    return this.jurisdictions.list(orgId, this.lists.parse(JURISDICTION_LIST, raw));
  }

  @Post()
  @LocationOf('tax-jurisdictions')
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Create a jurisdiction' })
  @ApiCreatedResponse({ type: TaxJurisdictionDto })
  @ApiConflictResponse({ description: 'code taken', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateTaxJurisdictionDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxJurisdictionDto> {
    return this.jurisdictions.create(orgId, dto, context);
  }

  @Get(':id')
  @RequirePermissions('tax:read')
  @ApiOperation({ summary: 'One jurisdiction (ETag for If-Match)' })
  @ApiOkResponse({ type: TaxJurisdictionDto })
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<TaxJurisdictionDto> {
    return this.jurisdictions.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Change code, name or country' })
  @ApiOkResponse({ type: TaxJurisdictionDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateTaxJurisdictionDto,
    @IfMatch() version: Version,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxJurisdictionDto> {
    return this.jurisdictions.update(orgId, id, dto, version, context);
  }

  @Post(':id/move')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Move a jurisdiction and its subtree (422 tree_cycle under itself)' })
  @ApiOkResponse({ type: TaxJurisdictionDto })
  move(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: MoveTaxJurisdictionDto,
    @IfMatch() version: Version,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxJurisdictionDto> {
    return this.jurisdictions.move(orgId, id, dto, version, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Delete a jurisdiction with no children and no rates' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'still in use', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: Version,
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

  @Get()
  @RequirePermissions('tax:read')
  @ApiOperation({ summary: 'Tax categories (what is taxed: standard, reduced, exempt ...)' })
  @ApiListQuery(TAX_CATEGORY_LIST)
  @ApiOkResponse({ type: PageOf(TaxCategoryDto) })
  list(
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<TaxCategoryDto>> {
    return this.categories.list(orgId, this.lists.parse(TAX_CATEGORY_LIST, raw));
  }

  @Post()
  @LocationOf('tax-categories')
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Create a tax category' })
  @ApiCreatedResponse({ type: TaxCategoryDto })
  @ApiConflictResponse({ description: 'code taken', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateTaxCategoryDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxCategoryDto> {
    return this.categories.create(orgId, dto, context);
  }

  @Get(':id')
  @RequirePermissions('tax:read')
  @ApiOperation({ summary: 'One tax category (ETag for If-Match)' })
  @ApiOkResponse({ type: TaxCategoryDto })
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<TaxCategoryDto> {
    return this.categories.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Change a tax category' })
  @ApiOkResponse({ type: TaxCategoryDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateTaxCategoryDto,
    @IfMatch() version: Version,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxCategoryDto> {
    return this.categories.update(orgId, id, dto, version, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Delete a tax category no rate uses' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'still in use', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: Version,
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

  @Get()
  @RequirePermissions('tax:read')
  @ApiOperation({ summary: 'Tax rates (filter by jurisdiction, category, activeOn date)' })
  @ApiListQuery(TAX_RATE_LIST)
  @ApiOkResponse({ type: PageOf(TaxRateDto) })
  list(
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<TaxRateDto>> {
    return this.rates.list(orgId, this.lists.parse(TAX_RATE_LIST, raw));
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

  @Post()
  @LocationOf('tax-rates')
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Create a rate; its validity may not overlap another of the pair' })
  @ApiCreatedResponse({ type: TaxRateDto })
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

  @Get(':id')
  @RequirePermissions('tax:read')
  @ApiOperation({ summary: 'One rate (ETag for If-Match)' })
  @ApiOkResponse({ type: TaxRateDto })
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<TaxRateDto> {
    return this.rates.get(orgId, id);
  }

  @Patch(':id')
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Change name, rate or validity (no overlap: 409)' })
  @ApiOkResponse({ type: TaxRateDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  @ApiConflictResponse({
    description: 'validity overlaps an existing rate',
    type: ErrorEnvelopeDto,
  })
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateTaxRateDto,
    @IfMatch() version: Version,
    @AuditContextParam() context: AuditContext,
  ): Promise<TaxRateDto> {
    return this.rates.update(orgId, id, dto, version, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('tax:manage')
  @ApiOperation({ summary: 'Delete a rate' })
  @ApiNoContentResponse()
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: Version,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.rates.delete(orgId, id, version, context);
  }
}
