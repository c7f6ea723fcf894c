import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  RequirePermissions,
} from '../../core/auth';
import { ApiListQuery, ErrorEnvelopeDto, ListDefinition, ListQueryParser } from '../../core/http';
import { ApiKeyFilter, ApiKeySort } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, ApiKeyPageDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

export const API_KEY_LIST: ListDefinition<ApiKeySort, ApiKeyFilter> = {
  sortable: ['createdAt', 'name', 'lastUsedAt'],
  defaultSort: '-createdAt',
  filters: { revoked: 'boolean' },
};

@ApiTags('access')
@ApiNotFoundResponse({ description: 'No such key in this organization', type: ErrorEnvelopeDto })
@Controller('api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @RequirePermissions('api-keys:read')
  @ApiOperation({ summary: 'Keys of the active organization (prefix only, never the secret)' })
  @ApiListQuery(API_KEY_LIST)
  @ApiOkResponse({ type: ApiKeyPageDto })
  list(
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<ApiKeyPageDto> {
    return this.keys.list(orgId, this.lists.parse(API_KEY_LIST, raw));
  }

  @Post()
  @RequirePermissions('api-keys:manage')
  @ApiOperation({ summary: 'Create a key for a role; the secret is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateApiKeyDto,
    @AuditContextParam() context: AuditContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedApiKeyDto> {
    const created = await this.keys.create(orgId, dto, context);
    void reply
      .header('Location', `/api/v1/api-keys/${created.id}`)
      .header('Cache-Control', 'no-store');
    return created;
  }

  @Get(':id')
  @RequirePermissions('api-keys:read')
  @ApiOperation({ summary: 'One key (prefix, role, last use)' })
  @ApiOkResponse({ type: ApiKeyDto })
  get(
    @ActiveOrganization() orgId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ApiKeyDto> {
    return this.keys.get(orgId, id);
  }

  @Post(':id/revoke')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('api-keys:manage')
  @ApiOperation({ summary: 'Revoke: the key stops working at once' })
  @ApiOkResponse({ type: ApiKeyDto })
  revoke(
    @ActiveOrganization() orgId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<ApiKeyDto> {
    return this.keys.revoke(orgId, id, context);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequirePermissions('api-keys:manage')
  @ApiOperation({ summary: 'Same as revoke (the row stays for the audit trail)' })
  @ApiNoContentResponse()
  async delete(
    @ActiveOrganization() orgId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.keys.revoke(orgId, id, context);
  }
}
