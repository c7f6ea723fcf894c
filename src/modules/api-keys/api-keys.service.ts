import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { LocalCache, PRINCIPALS_CACHE } from '../../core/cache';
import { Clock } from '../../core/clock';
import { ListQuery, NotFoundError, Page, toPage } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { hashApiKey } from '../auth';
import { RolesService } from '../roles';
import type { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { ApiKeyFilter, ApiKeyRow, ApiKeysRepository, ApiKeySort } from './api-keys.repository';
import { ApiKeysErrors } from './api-keys.errors';

const PREFIX_LENGTH = 12;

const toDto = (row: ApiKeyRow): ApiKeyDto => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  roleId: row.role_id,
  lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
  revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
  createdAt: new Date(row.created_at).toISOString(),
  version: row.version,
});

/** API keys: `alees_` + 32 random bytes, returned once, stored as SHA-256 with a display prefix. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly repository: ApiKeysRepository,
    private readonly roles: RolesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly db: TenantDatabase,
    private readonly local: LocalCache,
  ) {}

  async list(
    organizationId: string,
    query: ListQuery<ApiKeySort, ApiKeyFilter>,
  ): Promise<Page<ApiKeyDto>> {
    const { rows, total } = await this.db.read(organizationId, (m) =>
      this.repository.list(m, organizationId, query),
    );
    return toPage(rows.map(toDto), total, query);
  }

  async get(organizationId: string, id: string): Promise<ApiKeyDto> {
    const row = await this.db.read(organizationId, (m) =>
      this.repository.find(m, organizationId, id),
    );
    if (!row) throw new NotFoundError('API key');
    return toDto(row);
  }

  async create(
    organizationId: string,
    dto: CreateApiKeyDto,
    context: AuditContext,
  ): Promise<CreatedApiKeyDto> {
    if (!(await this.roles.assignable(organizationId, [dto.roleId])).has(dto.roleId)) {
      throw ApiKeysErrors.unknown_role();
    }
    const key = `alees_${randomBytes(32).toString('base64url')}`;
    const id = uuidv7();
    await this.db.run(organizationId, async (manager) => {
      await this.repository.insert(manager, organizationId, {
        id,
        name: dto.name,
        prefix: key.slice(0, PREFIX_LENGTH),
        keyHash: hashApiKey(key),
        roleId: dto.roleId,
        createdByUserId: context.actorUserId,
      });
      await this.audit.record(manager, {
        organizationId,
        action: 'create',
        entityType: 'api_key',
        entityId: id,
        changes: { name: dto.name, roleId: dto.roleId, prefix: key.slice(0, PREFIX_LENGTH) },
        context,
      });
    });
    return { ...(await this.get(organizationId, id)), key };
  }

  async revoke(organizationId: string, id: string, context: AuditContext): Promise<ApiKeyDto> {
    const existing = await this.get(organizationId, id);
    if (existing.revokedAt) return existing;
    const revoked = await this.db.run(organizationId, async (manager) => {
      const row = await this.repository.revoke(manager, organizationId, id, this.clock.now());
      if (!row) throw new NotFoundError('API key');
      await this.audit.record(manager, {
        organizationId,
        action: 'revoke',
        entityType: 'api_key',
        entityId: id,
        context,
      });
      return row;
    });
    // The auth guard keeps valid keys in memory: a revoked key stops working at once, everywhere.
    await this.local.invalidate(PRINCIPALS_CACHE);
    return toDto(revoked);
  }
}
