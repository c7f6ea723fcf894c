import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TargetRegistry } from '../../core/targets';
import { CategoriesRepository } from './categories.repository';

/**
 * Registers categories (of any type) as a collaboration target (`category`; SPEC-P3 §0) through
 * `CategoriesRepository`: read with `categories:read`, changed with `categories:manage`.
 */
@Injectable()
export class CategoryTargetRegistration implements OnModuleInit {
  constructor(
    private readonly targets: TargetRegistry,
    private readonly repository: CategoriesRepository,
  ) {}

  onModuleInit(): void {
    this.targets.register({
      entityType: 'category',
      readPermission: 'categories:read',
      updatePermission: 'categories:manage',
      // Share-locked: a comment, follow or attachment cannot land on a record being deleted.
      exists: (manager, orgId, id, options) =>
        this.repository.exists(manager, orgId, id, { forShare: options?.lock !== false }),
      label: async (manager, orgId, id) =>
        (await this.repository.findById(manager, orgId, id))?.name ?? null,
      path: (id) => `/api/v1/categories/${id}`,
    });
  }
}

/** The category target, loaded by the API and the worker. */
@Module({ providers: [CategoriesRepository, CategoryTargetRegistration] })
export class CategoryTargetsModule {}
