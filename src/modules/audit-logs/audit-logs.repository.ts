import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ListQuery } from '../../core/http';
import { withTenant } from '../../core/tenancy';

export type AuditLogFilter =
  'action' | 'entityType' | 'entityId' | 'actorUserId' | 'createdFrom' | 'createdTo';

export interface AuditLogRow {
  id: string;
  seq: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  changes: Record<string, unknown>;
  request_id: string | null;
  ip: string | null;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

const FILTER_SQL: Record<AuditLogFilter, string> = {
  action: 'action = $?',
  entityType: 'entity_type = $?',
  entityId: 'entity_id = $?',
  actorUserId: 'actor_user_id = $?',
  createdFrom: 'created_at >= $?',
  createdTo: 'created_at < $?',
};

/** Reads of one organization's audit chain, newest first, always under row-level security. */
@Injectable()
export class AuditLogsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(
    organizationId: string,
    query: ListQuery<'createdAt', AuditLogFilter>,
    afterSeq: string | undefined,
  ): Promise<{ rows: AuditLogRow[]; total: number }> {
    const conditions = ['organization_id = $1'];
    const parameters: unknown[] = [organizationId];
    for (const [name, value] of Object.entries(query.filters) as [AuditLogFilter, unknown][]) {
      parameters.push(value);
      conditions.push(FILTER_SQL[name].replace('$?', `$${parameters.length}`));
    }
    const where = conditions.join(' AND ');
    const direction = query.sort[0]?.direction === 'ASC' ? 'ASC' : 'DESC';
    return withTenant(this.dataSource, organizationId, async (manager) => {
      const [{ total }] = await manager.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM audit_logs WHERE ${where}`,
        parameters,
      );
      const pageParameters = [...parameters, query.size];
      let keyset = '';
      if (afterSeq !== undefined) {
        pageParameters.push(afterSeq);
        keyset = ` AND seq ${direction === 'DESC' ? '<' : '>'} $${pageParameters.length}`;
      }
      const offset = afterSeq === undefined ? ` OFFSET ${query.offset}` : '';
      const rows = await manager.query<AuditLogRow[]>(
        `SELECT id, seq, action, entity_type, entity_id, actor_user_id, actor_api_key_id, changes, request_id, ip,
                created_at, prev_hash, hash
           FROM audit_logs WHERE ${where}${keyset}
          ORDER BY seq ${direction} LIMIT $${parameters.length + 1}${offset}`,
        pageParameters,
      );
      return { rows, total };
    });
  }
}
