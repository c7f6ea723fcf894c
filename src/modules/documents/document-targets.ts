import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { iso } from '../../core/database';
import { TargetRegistry } from '../../core/targets';
import { AuditModule, AuditService } from '../audit';
import { CustomFieldTargets } from '../custom-fields';
import { DomainEventGuard, DomainEventInput, DomainEvents } from '../domain-events';
import { StatusUsage, StatusUsageModule } from '../statuses';
import { mayWrite } from './document-lock';
import { DocumentsErrors } from './documents.errors';
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
      exists: (manager, orgId, id, options) =>
        this.repository.exists(manager, orgId, id, { forShare: options?.lock !== false }),
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

/**
 * Document events that are not someone writing the document: its creation, the lock's own
 * changes (check-out is refused by the service, force-unlock is the point), and share links.
 */
const NOT_A_WRITE = new Set([
  'document.created',
  'document.checked_out',
  'document.checked_in',
  'document.unlocked',
  'document.shared',
  'document.share_revoked',
]);

/**
 * The check-out on every write path (SPEC-P3 §5 "while checked out only the holder writes"): a
 * {@link DomainEventGuard}, so a write of a document that goes through another module — `PUT
 * /taggings/document/{id}`, a workflow transition, an automation action — is refused with 409
 * `document_locked` (the transaction rolls back) when someone else holds a live lock, as PATCH
 * is. Writes without an actor (system jobs, cascades) pass; an API key holds no lock.
 */
@Injectable()
export class DocumentLockGuard implements DomainEventGuard, OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly repository: DocumentsRepository,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.events.addGuard(this);
  }

  async check(manager: EntityManager, events: readonly DomainEventInput[]): Promise<void> {
    for (const event of events) {
      if (event.entityType !== 'document' || !event.organizationId || !event.entityId) continue;
      if (NOT_A_WRITE.has(event.type)) continue;
      if (!event.actorUserId && !event.actorApiKeyId) continue;
      const row = await this.repository.findById(manager, event.organizationId, event.entityId);
      if (row && !mayWrite(row, event.actorUserId ?? null, this.clock.now())) {
        throw DocumentsErrors.document_locked(iso(row.lock_expires_at)!);
      }
    }
  }
}

/** The document target and registrations, loaded by the API and the worker. */
@Module({
  imports: [AuditModule, StatusUsageModule],
  providers: [DocumentsRepository, DocumentTargetRegistration, DocumentLockGuard],
})
export class DocumentTargetsModule {}
