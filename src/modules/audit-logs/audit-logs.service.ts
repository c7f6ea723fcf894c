import { Injectable } from '@nestjs/common';
import { ListQuery } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditLogFilter, AuditLogRow, AuditLogsRepository } from './audit-logs.repository';

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
    return this.db.run(organizationId, (m) => this.repository.list(m, organizationId, query));
  }
}
