import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ActiveOrganization, ListScope, RequirePermissions } from '../../core/auth';
import {
  ApiListQuery,
  defineList,
  ListDefinition,
  ListQueryParser,
  Page,
  PageOf,
  toPage,
} from '../../core/http';
import { AuditService } from '../audit';
import { AuditLogFilter, AuditLogRow } from './audit-logs.repository';
import { AuditLogsService } from './audit-logs.service';
import { AuditLogDto, ChainVerificationDto } from './dto/audit-log.dto';

export const AUDIT_LOG_LIST: ListDefinition<'createdAt', AuditLogFilter> = defineList({
  resource: 'audit-logs',
  sortable: ['createdAt'],
  defaultSort: '-createdAt',
  cursor: true,
  filters: {
    action: 'string',
    entityType: 'string',
    entityId: 'string',
    actorUserId: 'uuid',
    createdFrom: 'datetime',
    createdTo: 'datetime',
  },
  fields: {
    action: { type: 'text', column: 'audit_logs.action' },
    entityType: { type: 'text', column: 'audit_logs.entity_type' },
    entityId: { type: 'text', column: 'audit_logs.entity_id' },
    actorUserId: { type: 'uuid', column: 'audit_logs.actor_user_id' },
    actorApiKeyId: { type: 'uuid', column: 'audit_logs.actor_api_key_id' },
    requestId: { type: 'text', column: 'audit_logs.request_id' },
    createdAt: { type: 'datetime', column: 'audit_logs.created_at' },
  },
});

const toDto = (row: AuditLogRow): AuditLogDto => ({
  id: row.id,
  seq: row.seq === null ? null : String(row.seq),
  action: row.action,
  entityType: row.entity_type,
  entityId: row.entity_id,
  actorUserId: row.actor_user_id,
  actorApiKeyId: row.actor_api_key_id,
  changes: row.changes,
  requestId: row.request_id,
  ip: row.ip,
  createdAt: new Date(row.created_at).toISOString(),
  prevHash: row.prev_hash,
  hash: row.hash,
});

/** The active organization's audit log: read and verify only (it is append-only). */
@ApiTags('audit')
@RequirePermissions('audit-logs:read')
@Controller('audit-logs')
export class AuditLogsController {
  constructor(
    private readonly logs: AuditLogsService,
    private readonly audit: AuditService,
    private readonly lists: ListQueryParser,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Audit entries of the active organization, newest first (page or cursor)',
  })
  @ApiListQuery(AUDIT_LOG_LIST)
  @ApiOkResponse({ type: PageOf(AuditLogDto) })
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() organizationId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<AuditLogDto>> {
    const query = await this.lists.resolve(AUDIT_LOG_LIST, raw, scope);
    const { rows, total, nextCursor } = await this.logs.list(organizationId, query);
    return toPage(rows.map(toDto), total, query, nextCursor);
  }

  @Get('verify')
  @ApiOperation({ summary: 'Recompute the hash chain; report the first row that was altered' })
  @ApiOkResponse({ type: ChainVerificationDto })
  verify(@ActiveOrganization() organizationId: string): Promise<ChainVerificationDto> {
    return this.audit.verify(organizationId);
  }
}
