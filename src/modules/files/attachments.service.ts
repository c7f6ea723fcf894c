import { Injectable, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { iso } from '../../core/database';
import { NotFoundError } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { TargetRegistry } from '../../core/targets';
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
 * through the owner's registered target ({@link TargetRegistry}, SPEC-P3 §0), never by SQL on its table.
 */
@Injectable()
export class AttachmentsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: FilesRepository,
    private readonly audit: AuditService,
    private readonly targets: TargetRegistry,
  ) {}

  /**
   * The files attached to one target. 404 when the target is missing, another tenant's, or of a
   * type the caller (`permissions`) may not read (SPEC-P3 §0).
   */
  list(
    orgId: string,
    permissions: ReadonlySet<string>,
    entityType: AttachableType,
    entityId: string,
  ): Promise<AttachmentDto[]> {
    // Read path: one round trip per statement (no BEGIN/COMMIT), RLS as in `run` (SPEC §8).
    return this.db.read(orgId, async (manager) => {
      await this.targets.assertReadable(manager, orgId, permissions, entityType, entityId);
      return (await this.repository.listAttachments(manager, orgId, entityType, entityId)).map(
        toDto,
      );
    });
  }

  /**
   * Attaches a ready file of the organization to a target the caller may read; 422
   * `invalid_file` / `invalid_entity` otherwise (an unreadable target answers as an unknown id).
   */
  create(
    orgId: string,
    permissions: ReadonlySet<string>,
    dto: CreateAttachmentDto,
    context: AuditContext,
  ): Promise<AttachmentDto> {
    return this.db.run(orgId, async (manager) => {
      const file = await this.repository.findById(manager, orgId, dto.fileId);
      if (!file || file.status !== 'ready') {
        throw FilesErrors.invalid_file();
      }
      const target = this.targets.has(dto.entityType) ? this.targets.get(dto.entityType) : null;
      if (
        !target ||
        !this.targets.allows(target, permissions) ||
        !(await target.exists(manager, orgId, dto.entityId))
      ) {
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

/**
 * Attachments hang off targets: registered as {@link TargetChildren}, so deleting a product,
 * contact, warehouse, location or category detaches its files in the same transaction (SPEC-P3 §0).
 */
@Injectable()
export class AttachmentChildrenRegistration implements OnModuleInit {
  constructor(
    private readonly targets: TargetRegistry,
    private readonly repository: FilesRepository,
  ) {}

  onModuleInit(): void {
    this.targets.registerChildren({
      name: 'attachments',
      deleteFor: (manager, orgId, entityType, entityId) =>
        this.repository.deleteAttachmentsOf(manager, orgId, entityType, entityId),
    });
  }
}
