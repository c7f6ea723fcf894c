import { Injectable, Logger } from '@nestjs/common';
import type { AuditContext } from '../../core/auth';
import { NotFoundError } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { AuditService } from '../audit';
import { DomainEvents } from '../domain-events';
import { FilesService } from '../files';
import { JobsService } from '../jobs';
import { TENANT_EXPORT_TASK } from './tenant-export.job';
import { TenantDataRepository } from './tenant-data.repository';
import { TenantsErrors } from './tenants.errors';

/**
 * Tenant offboarding for superusers: export all of a tenant's rows (a task), then delete the tenant
 * (its root organization, every descendant and every row they own) in one transaction. Audit rows
 * of both go to the platform (`system`) chain, which outlives the tenant.
 */
@Injectable()
export class TenantOffboardingService {
  private readonly logger = new Logger(TenantOffboardingService.name);
  private readonly repository = new TenantDataRepository();

  constructor(
    private readonly db: TenantDatabase,
    private readonly tasks: JobsService,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly files: FilesService,
    private readonly events: DomainEvents,
  ) {}

  /** Starts `tenant.export` in the tenant's own context (poll and download with its X-Organization-Id). */
  async startExport(tenantId: string, context: AuditContext): Promise<string> {
    const root = await this.db.runAsSystem('tenant-offboarding', (manager) =>
      this.repository.findRoot(manager, tenantId),
    );
    if (!root) throw new NotFoundError('Tenant');
    const taskId = await this.tasks.start(TENANT_EXPORT_TASK, { tenantId }, tenantId, context);
    await this.audit.recordStandalone({
      organizationId: null,
      action: 'tenant.export',
      entityType: 'organization',
      entityId: tenantId,
      changes: { code: root.code, taskId },
      context,
    });
    return taskId;
  }

  /**
   * Deletes the tenant `tenantId` when `confirm` is its code: 404 for a missing or non-root
   * organization, 422 `confirmation_mismatch` otherwise. Person accounts stay (they belong to
   * people, who may be members elsewhere); their memberships here go. Stored files' bytes are
   * removed after commit (a failure there is logged, never undoes the purge).
   */
  async deleteTenant(tenantId: string, confirm: string, context: AuditContext): Promise<void> {
    const keys = await this.db.runAsSystem('tenant-offboarding', async (manager) => {
      const locked = await this.repository.lockRoot(manager, tenantId);
      const root = locked ? await this.repository.findRoot(manager, tenantId) : null;
      if (!root) throw new NotFoundError('Tenant');
      if (confirm !== root.code) {
        throw TenantsErrors.confirmation_mismatch();
      }
      const orgIds = await this.repository.subtreeIds(manager, root);
      const storageKeys = await this.repository.storageKeys(manager, orgIds);
      const { deleted, announced } = await this.repository.purge(manager, orgIds);
      // Consumers (search) erase what lives outside the database, e.g. an external index's documents.
      await this.events.publishMany(
        manager,
        announced.map((record) => ({
          organizationId: record.organizationId,
          type: `${record.entityType}.deleted`,
          entityType: record.entityType,
          entityId: record.entityId,
          actorUserId: context.actorUserId,
          actorApiKeyId: context.actorApiKeyId,
          data: { reason: 'tenant_purge' },
          requestId: context.requestId,
        })),
      );
      await this.audit.record(manager, {
        organizationId: null,
        action: 'tenant.delete',
        entityType: 'organization',
        entityId: tenantId,
        changes: { code: root.code, name: root.name, organizations: orgIds, deleted },
        context,
      });
      return storageKeys;
    });
    await this.access.invalidate();
    const results = await Promise.allSettled(keys.map((key) => this.files.storage.delete(key)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) {
      this.logger.warn(`tenant ${tenantId} deleted; ${failed} stored objects could not be removed`);
    }
  }
}
