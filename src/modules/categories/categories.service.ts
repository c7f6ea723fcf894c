import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { childPlacement, iso } from '../../core/database';
import {
  assertVersionMatches,
  defineList,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { CATEGORY_TYPES, CategoryType } from './category.entity';
import type {
  CategoryDto,
  CreateCategoryDto,
  MoveCategoryDto,
  UpdateCategoryDto,
} from './dto/category.dto';
import {
  CategoriesRepository,
  CategoryFilter,
  CategoryRow,
  CategorySort,
} from './categories.repository';
import { CategoriesErrors } from './categories.errors';

type Sort = CategorySort;
type Filter = CategoryFilter;
export const CATEGORY_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'categories',
  sortable: ['name', 'createdAt', 'depth'],
  defaultSort: 'depth,name',
  filters: { type: { enum: CATEGORY_TYPES }, parentId: 'uuid', q: 'string' },
  fields: {
    id: { type: 'uuid', column: 'categories.id' },
    type: { type: { enum: CATEGORY_TYPES }, column: 'categories.type' },
    name: { type: 'string', column: 'categories.name' },
    description: { type: 'text', column: 'categories.description' },
    parentId: { type: 'uuid', column: 'categories.parent_id' },
    path: { type: 'text', column: 'categories.path' },
    depth: { type: 'int', column: 'categories.depth' },
    createdAt: { type: 'datetime', column: 'categories.created_at' },
    updatedAt: { type: 'datetime', column: 'categories.updated_at' },
    'parent.name': {
      type: 'string',
      column: 'filter_parent.name',
      relation: {
        from: 'categories filter_parent',
        join: 'filter_parent.id = categories.parent_id AND filter_parent.organization_id = categories.organization_id',
      },
    },
  },
});
const toDto = (row: CategoryRow): CategoryDto => ({
  id: row.id,
  type: row.type,
  name: row.name,
  description: row.description,
  parentId: row.parent_id,
  path: row.path,
  depth: row.depth,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** Typed category trees of one organization. Every statement runs under row-level security. */
@Injectable()
export class CategoriesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly repository: CategoriesRepository,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<CategoryDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<CategoryRow> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Category');
    return row;
  }

  get(orgId: string, id: string): Promise<CategoryDto> {
    return this.db.read(orgId, async (manager) => toDto(await this.find(manager, orgId, id)));
  }

  /**
   * For products and contacts: refuses (422 at `pointer`) a category that is not this
   * organization's or not of `type`.
   */
  async assertUsable(
    manager: EntityManager,
    orgId: string,
    id: string,
    type: CategoryType,
    pointer = '/categoryId',
  ): Promise<void> {
    if (!(await this.repository.existsOfType(manager, orgId, id, type))) {
      throw CategoriesErrors.invalid_category(type, pointer);
    }
  }

  private async parentFor(
    manager: EntityManager,
    orgId: string,
    parentId: string,
    type: CategoryType,
  ): Promise<CategoryRow> {
    const parent = await this.repository.findById(manager, orgId, parentId);
    if (!parent || parent.type !== type) {
      throw CategoriesErrors.invalid_parent(type);
    }
    return parent;
  }

  create(orgId: string, dto: CreateCategoryDto, context: AuditContext): Promise<CategoryDto> {
    return this.db.run(orgId, async (manager) => {
      const parent = dto.parentId
        ? await this.parentFor(manager, orgId, dto.parentId, dto.type)
        : null;
      const id = uuidv7();
      const { path, depth } = childPlacement(id, parent);
      await this.repository.insert(manager, orgId, {
        id,
        type: dto.type,
        name: dto.name,
        description: dto.description ?? '',
        parentId: parent?.id ?? null,
        path,
        depth,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'category',
        entityId: id,
        changes: { type: dto.type, name: dto.name, parentId: parent?.id ?? null },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
    });
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateCategoryDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<CategoryDto> {
    return this.db.run(orgId, async (manager) => {
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: async () => toDto(await this.find(manager, orgId, id)),
        fields: ['name', 'description'],
        write: async (before) =>
          toDto(
            await this.repository.update(manager, orgId, id, before.version, {
              name: dto.name ?? null,
              description: dto.description ?? null,
            }),
          ),
        entry: { organizationId: orgId, entityType: 'category', entityId: id, context },
      });
    });
  }

  move(
    orgId: string,
    id: string,
    dto: MoveCategoryDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<CategoryDto> {
    return this.db.run(orgId, async (manager) => {
      // Lock the subtree's root so concurrent moves of one node serialize.
      await this.repository.lockForUpdate(manager, orgId, id);
      const node = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, node.version);
      const parent = dto.parentId
        ? await this.parentFor(manager, orgId, dto.parentId, node.type)
        : null;
      await this.repository.moveSubtree(manager, orgId, node, parent);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'move',
        entityType: 'category',
        entityId: id,
        changes: { parentId: { from: node.parent_id, to: parent?.id ?? null } },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        // Children, products and contacts keep it by their RESTRICT foreign keys (409).
        remove: () => this.repository.delete(manager, orgId, id),
        // What hangs off it (attachments, comments, followers, …) goes with it.
        target: 'category',
        entry: { organizationId: orgId, entityType: 'category', entityId: id, context },
        changes: (before) => ({ type: before.type, name: before.name }),
      });
    });
  }
}
