import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { iso } from '../../core/database';
import { NotFoundError } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { AttachmentTargets } from './attachment-targets';
import type { AttachableType, AttachmentDto, CreateAttachmentDto } from './dto/file.dto';
import { AttachmentRow, FilesRepository } from './files.repository';
import { toFileDto } from './files.service';
import { FilesErrors } from './files.errors';

const toDto = (row: AttachmentRow): AttachmentDto => ({
  id: row.id,
  fileId: row.file_id,
  entityType: row.entity_type,
  entityId: row.entity_id,
  file: toFileDto(row.file),
  createdBy: row.created_by,
  createdAt: iso(row.created_at)!,
});

/**
 * Files attached to entities; both must belong to the caller's organization. The entity is checked
 * through the owner's registered check ({@link AttachmentTargets}), never by SQL on its table.
 */
@Injectable()
export class AttachmentsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: FilesRepository,
    private readonly audit: AuditService,
    private readonly targets: AttachmentTargets,
  ) {}

  list(orgId: string, entityType: AttachableType, entityId: string): Promise<AttachmentDto[]> {
    return this.db.run(orgId, async (manager) =>
      (await this.repository.listAttachments(manager, orgId, entityType, entityId)).map(toDto),
    );
  }

  create(orgId: string, dto: CreateAttachmentDto, context: AuditContext): Promise<AttachmentDto> {
    return this.db.run(orgId, async (manager) => {
      const file = await this.repository.findById(manager, orgId, dto.fileId);
      if (!file || file.status !== 'ready') {
        throw FilesErrors.invalid_file();
      }
      if (!(await this.targets.exists(manager, orgId, dto.entityType, dto.entityId))) {
        throw FilesErrors.invalid_entity(dto.entityType);
      }
      const id = uuidv7();
      await this.repository.insertAttachment(manager, orgId, {
        id,
        fileId: dto.fileId,
        entityType: dto.entityType,
        entityId: dto.entityId,
        createdBy: context.actorUserId,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'attachment',
        entityId: id,
        changes: { fileId: dto.fileId, entityType: dto.entityType, entityId: dto.entityId },
        context,
      });
      return toDto((await this.repository.findAttachment(manager, orgId, id)) as AttachmentRow);
    });
  }

  delete(orgId: string, id: string, context: AuditContext): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.repository.findAttachment(manager, orgId, id);
      if (!row) throw new NotFoundError('Attachment');
      await this.repository.deleteAttachment(manager, orgId, id);
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
