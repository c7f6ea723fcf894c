import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditContext } from '../../core/auth';
import { TargetRegistry } from '../../core/targets';
import { AuditModule, AuditService } from '../audit';
import { CustomFieldTargets } from '../custom-fields';
import { StatusUsage, StatusUsageModule } from '../statuses';
import { DocumentsRepository } from './documents.repository';

/** Who a cascaded deletion is recorded against: nobody in particular (the target's deletion). */
const CASCADE_CONTEXT: AuditContext = {
  actorUserId: null,
  actorApiKeyId: null,
  requestId: null,
  ip: null,
};

/**
 * Registers documents with the registries other modules ask (SPEC-P3 §0): the collaboration
 * target `document` (read with `documents:read`, changed with `documents:update`; comments, tags,
 * followers and attachments work on documents), custom fields (`documents.custom_fields`), the
 * status-usage check (a status a live document has cannot be deleted), and documents as children
 * of every target: deleting a record deletes the documents linked to it, in the same transaction.
 */
@Injectable()
export class DocumentTargetRegistration implements OnModuleInit {
  constructor(
    private readonly targets: TargetRegistry,
    private readonly customFieldTargets: CustomFieldTargets,
    private readonly statusUsage: StatusUsage,
    private readonly repository: DocumentsRepository,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.customFieldTargets.register({
      entityType: 'document',
      table: 'documents',
      column: 'custom_fields',
    });
    this.targets.register({
      entityType: 'document',
      readPermission: 'documents:read',
      updatePermission: 'documents:update',
      // Share-locked: a comment or tag cannot land on a document being deleted.
      exists: (manager, orgId, id) => this.repository.existsForShare(manager, orgId, id),
      label: async (manager, orgId, id) =>
        (await this.repository.findById(manager, orgId, id))?.title ?? null,
      path: (id) => `/api/v1/documents/${id}`,
    });
    this.statusUsage.register('document', (manager, orgId, code) =>
      this.repository.statusInUse(manager, orgId, code),
    );
    this.targets.registerChildren({
      name: 'documents',
      deleteFor: (manager, orgId, entityType, entityId) =>
        this.deleteLinked(manager, orgId, entityType, entityId),
    });
  }

  /**
   * Deletes the live documents linked to a target being deleted (as `DELETE /documents/{id}`
   * does: `deleted_at`, their own children, their share links), each audited with
   * `document.deleted` (`data.cascadeFrom`: the target).
   */
  private async deleteLinked(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<void> {
    const ids = await this.repository.linkedTo(manager, orgId, entityType, entityId);
    for (const id of await this.repository.softDelete(manager, orgId, ids)) {
      const children = await this.targets.deleteChildren(manager, orgId, 'document', id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'document',
        entityId: id,
        changes: { cascadeFrom: { entityType, entityId } },
        context: CASCADE_CONTEXT,
        event: { data: { ...children, cascadeFrom: { entityType, entityId } } },
      });
    }
  }
}

/** The document target and registrations, loaded by the API and the worker. */
@Module({
  imports: [AuditModule, StatusUsageModule],
  providers: [DocumentsRepository, DocumentTargetRegistration],
})
export class DocumentTargetsModule {}
