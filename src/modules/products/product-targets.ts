import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditContext } from '../../core/auth';
import { TargetRegistry } from '../../core/targets';
import { AuditModule, AuditService } from '../audit';
import { CustomFieldTargets } from '../custom-fields';
import { TranslatableTargets } from '../content-translations';
import { WorkflowSubjects } from '../workflows';
import { PRODUCT_STATUSES, type ProductStatus } from './product.entity';
import { assertTransition } from './product-rules';
import { ProductCounts } from './product-counts';
import { PRODUCT_LIST } from './products.service';
import { ProductsRepository } from './products.repository';

/**
 * Registers products as a collaboration target (`product`: attachments, comments, followers,
 * activities, timeline; SPEC-P3 §0) through `ProductsRepository`: live (not soft-deleted) products
 * of the organization, read with `products:read`, changed with `products:manage`.
 */
@Injectable()
export class ProductTargetRegistration implements OnModuleInit {
  constructor(
    private readonly targets: TargetRegistry,
    private readonly customFieldTargets: CustomFieldTargets,
    private readonly repository: ProductsRepository,
  ) {}

  onModuleInit(): void {
    // Its records carry custom fields (modules/custom-fields) in `products.custom_fields`.
    this.customFieldTargets.register({
      entityType: 'product',
      table: 'products',
      column: 'custom_fields',
    });
    this.targets.register({
      entityType: 'product',
      readPermission: 'products:read',
      updatePermission: 'products:manage',
      // Share-locked: a comment, follow or attachment cannot land on a record being deleted.
      exists: (manager, orgId, id, options) =>
        this.repository.exists(manager, orgId, id, { forShare: options?.lock !== false }),
      label: async (manager, orgId, id) => {
        const row = await this.repository.findById(manager, orgId, id);
        return row ? `${row.sku} · ${row.name}` : null;
      },
      path: (id) => `/api/v1/products/${id}`,
    });
  }
}

/**
 * Registers products as a workflow subject (modules/workflows): conditions use `PRODUCT_LIST`'s
 * filter fields on table `products`; a transition into a state whose code is a product status
 * writes `status` here — the lifecycle's rules apply (422 `invalid_transition`), the version is
 * bumped and the change audited as `transition` (event `product.transitioned`). Other codes
 * (`pending_approval`, …) leave the product as it is.
 */
@Injectable()
export class ProductWorkflowRegistration implements OnModuleInit {
  constructor(
    private readonly subjects: WorkflowSubjects,
    private readonly repository: ProductsRepository,
    private readonly audit: AuditService,
    private readonly counts: ProductCounts,
  ) {}

  onModuleInit(): void {
    this.subjects.register({
      entityType: 'product',
      list: PRODUCT_LIST,
      table: 'products',
      writeStatus: (manager, orgId, id, code, context) =>
        this.writeWorkflowStatus(manager, orgId, id, code, context),
      // A status change changes the totals of `?status=` lists.
      afterStatusWrite: (orgId) => this.counts.invalidate(orgId),
    });
  }

  /** See the class: resolves whether the product's status changed. */
  async writeWorkflowStatus(
    manager: EntityManager,
    orgId: string,
    id: string,
    code: string,
    context: AuditContext,
  ): Promise<boolean> {
    if (!(PRODUCT_STATUSES as readonly string[]).includes(code)) return false;
    const to = code as ProductStatus;
    const current = await this.repository.findById(manager, orgId, id);
    if (!current || current.status === to) return false;
    assertTransition(current.status, to);
    const before = await this.repository.setStatus(manager, orgId, id, to);
    if (before === undefined) return false;
    await this.audit.record(manager, {
      organizationId: orgId,
      action: 'transition',
      entityType: 'product',
      entityId: id,
      changes: { status: { from: before, to } },
      context,
      event: { changedFields: ['status'] },
    });
    return true;
  }
}

/** The product target, loaded by the API and the worker (a Nest module is one instance per app). */
@Module({
  imports: [AuditModule],
  providers: [
    ProductsRepository,
    ProductCounts,
    ProductTargetRegistration,
    ProductWorkflowRegistration,
  ],
})
export class ProductTargetsModule {}

/**
 * Registers "does this product exist?" with content-translations (type `products`), which
 * translates product fields without owning products. API side only (it answers HTTP requests).
 */
@Injectable()
export class ProductTranslatableRegistration implements OnModuleInit {
  constructor(
    private readonly translatable: TranslatableTargets,
    private readonly repository: ProductsRepository,
  ) {}

  onModuleInit(): void {
    this.translatable.register({
      type: 'products',
      exists: this.repository.exists.bind(this.repository),
    });
  }
}
