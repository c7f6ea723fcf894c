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
import { CURRENCY_LIST, CurrenciesService } from './currencies.service';
import { CreateCurrencyDto, CurrencyDto, UpdateCurrencyDto } from './dto/currency.dto';

@ApiTags('currencies')
@ApiNotFoundResponse({ description: 'No such currency code', type: ErrorEnvelopeDto })
@Controller('currencies')
export class CurrenciesController {
  constructor(
    private readonly currencies: CurrenciesService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('currencies:read')
  @ApiOperation({ summary: 'ISO 4217 currencies with their minor units' })
  @ApiListQuery(CURRENCY_LIST)
  @ApiOkResponse({ type: PageOf(CurrencyDto) })
  list(@Query() raw: Record<string, unknown>): Promise<Page<CurrencyDto>> {
    return this.currencies.list(this.lists.parse(CURRENCY_LIST, raw));
  }

  @Post()
  @LocationOf('currencies', 'code')
  @RequirePermissions('currencies:manage')
  @ApiOperation({ summary: 'Add a currency (superusers)' })
  @ApiCreatedResponse({ type: CurrencyDto })
  @ApiConflictResponse({ description: 'code already exists', type: ErrorEnvelopeDto })
  create(
    @Body() dto: CreateCurrencyDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<CurrencyDto> {
    return this.currencies.create(dto, context);
  }

  @Get(':code')
  @RequirePermissions('currencies:read')
  @ApiOperation({ summary: 'One currency (ETag for If-Match)' })
  @ApiOkResponse({ type: CurrencyDto })
  get(@Param('code') code: string): Promise<CurrencyDto> {
    return this.currencies.get(code);
  }

  @Patch(':code')
  @RequirePermissions('currencies:manage')
  @ApiOperation({ summary: 'Rename, change minor units or (de)activate a currency (superusers)' })
  @ApiOkResponse({ type: CurrencyDto })
  @ApiPreconditionFailedResponse({ type: ErrorEnvelopeDto })
  update(
    @Param('code') code: string,
    @Body() dto: UpdateCurrencyDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<CurrencyDto> {
    return this.currencies.update(code, dto, version, context);
  }

  @Delete(':code')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('currencies:manage')
  @ApiOperation({ summary: 'Delete a currency no product uses (superusers)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'still referenced', type: ErrorEnvelopeDto })
  async delete(
    @Param('code') code: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.currencies.delete(code, version, context);
  }
}
