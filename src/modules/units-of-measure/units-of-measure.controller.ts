import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
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
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuditContext, AuditContextParam, RequirePermissions } from '../../core/auth';
import {
  ApiListQuery,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IfMatch,
  ListQueryParser,
  LocationOf,
  Page,
  PageOf,
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

  @Get()
  @RequirePermissions('units-of-measure:read')
  @ApiOperation({ summary: 'Units of measure with their factor to the base unit of their type' })
  @ApiListQuery(UNIT_LIST)
  @ApiOkResponse({ type: PageOf(UnitOfMeasureDto) })
  list(@Query() raw: Record<string, unknown>): Promise<Page<UnitOfMeasureDto>> {
    return this.units.list(this.lists.parse(UNIT_LIST, raw));
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

  @Get(':code')
  @RequirePermissions('units-of-measure:read')
  @ApiOperation({ summary: 'One unit (ETag for If-Match)' })
  @ApiOkResponse({ type: UnitOfMeasureDto })
  get(@Param('code') code: string): Promise<UnitOfMeasureDto> {
    return this.units.get(code);
  }

  @Patch(':code')
  @RequirePermissions('units-of-measure:manage')
  @ApiOperation({ summary: 'Rename, change the factor or (de)activate a unit (superusers)' })
  @ApiOkResponse({ type: UnitOfMeasureDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  update(
    @Param('code') code: string,
    @Body() dto: UpdateUnitOfMeasureDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<UnitOfMeasureDto> {
    return this.units.update(code, dto, version, context);
  }

  @Delete(':code')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('units-of-measure:manage')
  @ApiOperation({ summary: 'Delete a unit no product uses (superusers)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'still referenced', type: ErrorEnvelopeDto })
  async delete(
    @Param('code') code: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.units.delete(code, version, context);
  }
}
