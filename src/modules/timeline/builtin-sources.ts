import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditLogsService } from '../audit-logs';
import { FilesService } from '../files';
import { TimelineSources } from './timeline-sources';

/**
 * Audit rows name entity types in snake_case (`stock_location`), targets in kebab-case
 * (`stock-location`): the audited type of a target.
 */
export const auditedType = (entityType: string): string => entityType.replace(/-/g, '_');

/**
 * Registers the sources this module reads through their owners' public services: `field_change`
 * (the audit log's create/update/delete entries of the record: `data` = `{ action, changes }`)
 * and `attachment` (files attached to it: `data` = `{ fileId, name, contentType, size }`, needs
 * `files:read`). Comments and finished activities register from their own modules.
 */
@Injectable()
export class BuiltInTimelineSources implements OnModuleInit {
  constructor(
    private readonly sources: TimelineSources,
    private readonly auditLogs: AuditLogsService,
    private readonly files: FilesService,
  ) {}

  onModuleInit(): void {
    this.sources.register({
      kind: 'field_change',
      page: async (manager, orgId, target, before, limit) =>
        (
          await this.auditLogs.entityHistory(
            manager,
            orgId,
            auditedType(target.entityType),
            target.entityId,
            before,
            limit,
          )
        ).map((row) => ({
          id: row.id,
          kind: 'field_change' as const,
          at: row.at,
          actorUserId: row.actor_user_id,
          data: { action: row.action, changes: row.changes },
        })),
    });
    this.sources.register({
      kind: 'attachment',
      readPermission: 'files:read',
      page: async (manager, orgId, target, before, limit) =>
        (
          await this.files.attachmentHistory(
            manager,
            orgId,
            target.entityType,
            target.entityId,
            before,
            limit,
          )
        ).map((row) => ({
          id: row.id,
          kind: 'attachment' as const,
          at: row.at,
          actorUserId: row.created_by,
          data: {
            fileId: row.file_id,
            name: row.original_name,
            contentType: row.content_type,
            size: row.size,
          },
        })),
    });
  }
}
