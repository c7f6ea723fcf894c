import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuditContext, AuditContextParam, ListScope, RequirePermissions } from '../../core/auth';
import {
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IfMatch,
  ListQueryParser,
  ListRoute,
  LocationOf,
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  ConversionDto,
  ConvertQueryDto,
  CreateUnitOfMeasureDto,
  UnitOfMeasureDto,
  UpdateUnitOfMeasureDto,
} from './dto/unit-of-measure.dto';
import { UNIT_LIST, UnitsOfMeasureService } from './units-of-measure.service';

@ApiTags('units-of-measure')
@ApiNotFoundResponse({ description: 'No such unit code', type: ErrorEnvelopeDto })
@Controller('units-of-measure')
export class UnitsOfMeasureController {
  constructor(
    private readonly units: UnitsOfMeasureService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'units-of-measure:read',
    'Units of measure with their factor to the base unit of their type',
    UNIT_LIST,
    UnitOfMeasureDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<UnitOfMeasureDto>> {
    return this.units.list(await this.lists.resolve(UNIT_LIST, raw, scope));
  }

  @Get('convert')
  @RequirePermissions('units-of-measure:read')
  @ApiOperation({
    summary: 'Convert a quantity between two units of the same type (exact decimal)',
  })
  @ApiOkResponse({ type: ConversionDto })
  @ApiUnprocessableEntityResponse({
    description: '`incompatible_units` across types, or bad parameters',
    type: ErrorEnvelopeDto,
  })
  convert(@Query() query: ConvertQueryDto): Promise<ConversionDto> {
    return this.units.convert(query);
  }

  @Post()
  @LocationOf('units-of-measure', 'code')
  @RequirePermissions('units-of-measure:manage')
  @ApiOperation({ summary: 'Add a unit (superusers)' })
  @ApiCreatedResponse({ type: UnitOfMeasureDto })
  @ApiConflictResponse({ description: 'code taken, or a second base unit', type: ErrorEnvelopeDto })
  create(
    @Body() dto: CreateUnitOfMeasureDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<UnitOfMeasureDto> {
    return this.units.create(dto, context);
  }

  @ReadRoute('units-of-measure:read', 'One unit (ETag for If-Match)', UnitOfMeasureDto, ':code')
  get(@Param('code') code: string): Promise<UnitOfMeasureDto> {
    return this.units.get(code);
  }

  @UpdateRoute(
    'units-of-measure:manage',
    'Rename, change the factor or (de)activate a unit (superusers)',
    UnitOfMeasureDto,
    ':code',
  )
  update(
    @Param('code') code: string,
    @Body() dto: UpdateUnitOfMeasureDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<UnitOfMeasureDto> {
    return this.units.update(code, dto, version, context);
  }

  @DeleteRoute('units-of-measure:manage', 'Delete a unit no product uses (superusers)', ':code')
  @ApiConflictResponse({ description: 'still referenced', type: ErrorEnvelopeDto })
  async delete(
    @Param('code') code: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.units.delete(code, version, context);
  }
}
