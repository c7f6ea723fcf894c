import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ListQuery } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import {
  AuditLogFilter,
  AuditLogRow,
  AuditLogsRepository,
  EntityHistoryRow,
} from './audit-logs.repository';

/** The audit log routes' use cases: one organization's entries, in its tenant transaction. */
@Injectable()
export class AuditLogsService {
  constructor(
    private readonly repository: AuditLogsRepository,
    private readonly db: TenantDatabase,
  ) {}

  /** One page (or cursor window) of `organizationId`'s entries; see `AuditLogsRepository.list`. */
  list(
    organizationId: string,
    query: ListQuery<'createdAt', AuditLogFilter>,
  ): Promise<{ rows: AuditLogRow[]; total: number; nextCursor?: string }> {
    return this.db.read(organizationId, (m) => this.repository.list(m, organizationId, query));
  }

  /**
   * One record's audited create/update/delete entries for its timeline, in the caller's tenant
   * transaction; see `AuditLogsRepository.entityHistory` (`entityType` as audited, e.g.
   * `stock_location`).
   */
  entityHistory(
    manager: EntityManager,
    organizationId: string,
    entityType: string,
    entityId: string,
    before: { at: string; id: string } | null,
    limit: number,
  ): Promise<EntityHistoryRow[]> {
    return this.repository.entityHistory(
      manager,
      organizationId,
      entityType,
      entityId,
      before,
      limit,
    );
  }
}
