import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import {
  childPlacement,
  Conditions,
  iso,
  moveSubtree,
  orderBy,
  selectPage,
} from '../../core/database';
import {
  assertVersionMatches,
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
import { foldedContains } from '../../core/database/folded-text';
import { CategoriesErrors } from './categories.errors';

interface CategoryRow {
  id: string;
  type: CategoryType;
  name: string;
  description: string;
  parent_id: string | null;
  path: string;
  depth: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'name' | 'createdAt' | 'depth';
type Filter = 'type' | 'parentId' | 'q';
export const CATEGORY_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['name', 'createdAt', 'depth'],
  defaultSort: 'depth,name',
  filters: { type: { enum: CATEGORY_TYPES }, parentId: 'uuid', q: 'string' },
};
const SORT_COLUMNS: Record<Sort, string> = {
  name: 'lower(name)',
  createdAt: 'created_at',
  depth: 'depth',
};
const COLUMNS = `id, type, name, description, parent_id, path, depth, created_at, updated_at, version`;

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
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<CategoryDto>> {
    return this.db.run(orgId, async (manager) => {
      const { type, parentId, q } = query.filters;
      const where = new Conditions()
        .add('organization_id = ?', orgId)
        .addIf(type, 'type = ?')
        .addIf(parentId, 'parent_id = ?')
        .addIf(q, foldedContains('name'), q);
      const { rows, total } = await selectPage<CategoryRow>(manager, {
        select: COLUMNS,
        from: 'categories',
        where,
        order: orderBy(query.sort, SORT_COLUMNS),
        query,
      });
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<CategoryRow> {
    const [row] = await manager.query<CategoryRow[]>(
      `SELECT ${COLUMNS} FROM categories WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    if (!row) throw new NotFoundError('Category');
    return row;
  }

  get(orgId: string, id: string): Promise<CategoryDto> {
    return this.db.run(orgId, async (manager) => toDto(await this.find(manager, orgId, id)));
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
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM categories WHERE organization_id = $1 AND id = $2 AND type = $3',
      [orgId, id, type],
    );
    if (rows.length === 0) {
      throw CategoriesErrors.invalid_category(type, pointer);
    }
  }

  private async parentFor(
    manager: EntityManager,
    orgId: string,
    parentId: string,
    type: CategoryType,
  ): Promise<CategoryRow> {
    const [parent] = await manager.query<CategoryRow[]>(
      `SELECT ${COLUMNS} FROM categories WHERE organization_id = $1 AND id = $2`,
      [orgId, parentId],
    );
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
      await manager.query(
        `INSERT INTO categories (id, organization_id, type, name, description, parent_id, path, depth)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, orgId, dto.type, dto.name, dto.description ?? '', parent?.id ?? null, path, depth],
      );
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
      const before = toDto(await this.find(manager, orgId, id));
      assertVersionMatches(expectedVersion, before.version);
      return this.audit.recordVersionedUpdate(
        manager,
        before,
        ['name', 'description'],
        {
          table: 'categories',
          set: `name = COALESCE($4, name), description = COALESCE($5, description)`,
          values: [dto.name ?? null, dto.description ?? null],
          returning: COLUMNS,
          toDto,
        },
        { organizationId: orgId, entityType: 'category', entityId: id, context },
      );
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
      await manager.query('SELECT 1 FROM categories WHERE id = $1 FOR UPDATE', [id]);
      const node = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, node.version);
      const parent = dto.parentId
        ? await this.parentFor(manager, orgId, dto.parentId, node.type)
        : null;
      await moveSubtree(manager, 'categories', node, parent);
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
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      // Children, products and contacts keep it by their RESTRICT foreign keys (409).
      await manager.query('DELETE FROM categories WHERE organization_id = $1 AND id = $2', [
        orgId,
        id,
      ]);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'category',
        entityId: id,
        changes: { type: before.type, name: before.name },
        context,
      });
    });
  }
}
