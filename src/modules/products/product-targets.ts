import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TargetRegistry } from '../../core/targets';
import { CustomFieldTargets } from '../custom-fields';
import { TranslatableTargets } from '../content-translations';
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
      exists: (manager, orgId, id) =>
        this.repository.exists(manager, orgId, id, { forShare: true }),
      label: async (manager, orgId, id) => {
        const row = await this.repository.findById(manager, orgId, id);
        return row ? `${row.sku} · ${row.name}` : null;
      },
      path: (id) => `/api/v1/products/${id}`,
    });
  }
}

/** The product target, loaded by the API and the worker (a Nest module is one instance per app). */
@Module({ providers: [ProductsRepository, ProductTargetRegistration] })
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
