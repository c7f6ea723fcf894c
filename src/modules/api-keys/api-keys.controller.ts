import { Body, Controller, Header, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
  RequirePermissions,
} from '../../core/auth';
import {
  ActionRoute,
  defineList,
  DeleteRoute,
  ErrorEnvelopeDto,
  IdParam,
  IssuesSecret,
  ListDefinition,
  ListQueryParser,
  ListRoute,
  LocationOf,
  Page,
  ReadRoute,
} from '../../core/http';
import { ApiKeyFilter, ApiKeySort } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

export const API_KEY_LIST: ListDefinition<ApiKeySort, ApiKeyFilter> = defineList({
  resource: 'api-keys',
  sortable: ['createdAt', 'name', 'lastUsedAt'],
  defaultSort: '-createdAt',
  filters: { revoked: 'boolean' },
  fields: {
    id: { type: 'uuid', column: 'api_keys.id' },
    name: { type: 'string', column: 'api_keys.name' },
    prefix: { type: 'text', column: 'api_keys.prefix' },
    roleId: { type: 'uuid', column: 'api_keys.role_id' },
    createdByUserId: { type: 'uuid', column: 'api_keys.created_by_user_id' },
    lastUsedAt: { type: 'datetime', column: 'api_keys.last_used_at' },
    revokedAt: { type: 'datetime', column: 'api_keys.revoked_at' },
    createdAt: { type: 'datetime', column: 'api_keys.created_at' },
  },
});

@ApiTags('access')
@ApiNotFoundResponse({ description: 'No such key in this organization', type: ErrorEnvelopeDto })
@Controller('api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'api-keys:read',
    'Keys of the active organization (prefix only, never the secret)',
    API_KEY_LIST,
    ApiKeyDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<ApiKeyDto>> {
    return this.keys.list(orgId, await this.lists.resolve(API_KEY_LIST, raw, scope));
  }

  @Post()
  @LocationOf('api-keys')
  @IssuesSecret('key')
  @Header('Cache-Control', 'no-store')
  @RequirePermissions('api-keys:manage')
  @ApiOperation({ summary: 'Create a key for a role; the secret is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateApiKeyDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<CreatedApiKeyDto> {
    return this.keys.create(orgId, dto, context);
  }

  @ReadRoute('api-keys:read', 'One key (prefix, role, last use)', ApiKeyDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<ApiKeyDto> {
    return this.keys.get(orgId, id);
  }

  @ActionRoute(':id/revoke', 'api-keys:manage', 'Revoke: the key stops working at once', ApiKeyDto)
  revoke(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<ApiKeyDto> {
    return this.keys.revoke(orgId, id, context);
  }

  @DeleteRoute('api-keys:manage', 'Same as revoke (the row stays for the audit trail)')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.keys.revoke(orgId, id, context);
  }
}
