import { Body, Controller, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
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

  @ListRoute(
    'currencies:read',
    'ISO 4217 currencies with their minor units',
    CURRENCY_LIST,
    CurrencyDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<CurrencyDto>> {
    return this.currencies.list(await this.lists.resolve(CURRENCY_LIST, raw, scope));
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

  @ReadRoute('currencies:read', 'One currency (ETag for If-Match)', CurrencyDto, ':code')
  get(@Param('code') code: string): Promise<CurrencyDto> {
    return this.currencies.get(code);
  }

  @UpdateRoute(
    'currencies:manage',
    'Rename, change minor units or (de)activate a currency (superusers)',
    CurrencyDto,
    ':code',
  )
  update(
    @Param('code') code: string,
    @Body() dto: UpdateCurrencyDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<CurrencyDto> {
    return this.currencies.update(code, dto, version, context);
  }

  @DeleteRoute('currencies:manage', 'Delete a currency no product uses (superusers)', ':code')
  @ApiConflictResponse({ description: 'still referenced', type: ErrorEnvelopeDto })
  async delete(
    @Param('code') code: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.currencies.delete(code, version, context);
  }
}
