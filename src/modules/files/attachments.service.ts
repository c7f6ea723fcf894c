import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { iso } from '../../core/database';
import { NotFoundError } from '../../core/http';
import { withTenant } from '../../core/tenancy';
import { AuditService } from '../audit';
import type { AttachableType, AttachmentDto, CreateAttachmentDto } from './dto/file.dto';
import { FILE_COLUMNS, FileRow, toFileDto } from './files.service';
import { FilesErrors } from './files.errors';

/** Where each attachable entity type lives (table names come from here, never from input). */
const ENTITY_TABLES: Record<AttachableType, string> = {
  product: 'products',
  contact: 'contacts',
  warehouse: 'warehouses',
  'stock-location': 'stock_locations',
  category: 'categories',
};

interface AttachmentRow {
  id: string;
  file_id: string;
  entity_type: AttachableType;
  entity_id: string;
  created_by: string | null;
  created_at: Date;
  file: FileRow;
}

const SELECT = `SELECT a.id, a.file_id, a.entity_type, a.entity_id, a.created_by, a.created_at,
                       (SELECT row_to_json(f) FROM (SELECT ${FILE_COLUMNS} FROM stored_files WHERE id = a.file_id) f) AS file
                  FROM attachments a`;

const toDto = (row: AttachmentRow): AttachmentDto => ({
  id: row.id,
  fileId: row.file_id,
  entityType: row.entity_type,
  entityId: row.entity_id,
  file: toFileDto(row.file),
  createdBy: row.created_by,
  createdAt: iso(row.created_at)!,
});

/** Files attached to entities; both must belong to the caller's organization. */
@Injectable()
export class AttachmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  list(orgId: string, entityType: AttachableType, entityId: string): Promise<AttachmentDto[]> {
    return withTenant(this.dataSource, orgId, async (manager) =>
      (
        await manager.query<AttachmentRow[]>(
          `${SELECT} WHERE a.organization_id = $1 AND a.entity_type = $2 AND a.entity_id = $3 ORDER BY a.created_at, a.id`,
          [orgId, entityType, entityId],
        )
      ).map(toDto),
    );
  }

  create(orgId: string, dto: CreateAttachmentDto, context: AuditContext): Promise<AttachmentDto> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const [file] = await manager.query<{ status: string }[]>(
        'SELECT status FROM stored_files WHERE organization_id = $1 AND id = $2',
        [orgId, dto.fileId],
      );
      if (!file || file.status !== 'ready') {
        throw FilesErrors.invalid_file();
      }
      const table = ENTITY_TABLES[dto.entityType];
      const entity = await manager.query<unknown[]>(
        `SELECT 1 FROM ${table} WHERE organization_id = $1 AND id = $2${table === 'products' ? ' AND deleted_at IS NULL' : ''}`,
        [orgId, dto.entityId],
      );
      if (entity.length === 0) {
        throw FilesErrors.invalid_entity(dto.entityType);
      }
      const id = uuidv7();
      await manager.query(
        `INSERT INTO attachments (id, organization_id, file_id, entity_type, entity_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, orgId, dto.fileId, dto.entityType, dto.entityId, context.actorUserId],
      );
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'attachment',
        entityId: id,
        changes: { fileId: dto.fileId, entityType: dto.entityType, entityId: dto.entityId },
        context,
      });
      const [row] = await manager.query<AttachmentRow[]>(`${SELECT} WHERE a.id = $1`, [id]);
      return toDto(row);
    });
  }

  delete(orgId: string, id: string, context: AuditContext): Promise<void> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const [row] = await manager.query<AttachmentRow[]>(
        `${SELECT} WHERE a.organization_id = $1 AND a.id = $2`,
        [orgId, id],
      );
      if (!row) throw new NotFoundError('Attachment');
      await manager.query('DELETE FROM attachments WHERE id = $1', [id]);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'attachment',
        entityId: id,
        changes: { fileId: row.file_id, entityType: row.entity_type, entityId: row.entity_id },
        context,
      });
    });
  }
}
