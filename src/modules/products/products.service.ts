import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import {
  Conditions,
  contains,
  iso,
  Keyset,
  orderBy,
  returningRows,
  selectPage,
} from '../../core/database';
import {
  assertVersionMatches,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  PreconditionFailedError,
  ValidationFailedError,
  toPage,
} from '../../core/http';
import { withTenant } from '../../core/tenancy';
import { AuditService } from '../audit';
import { CategoriesService } from '../categories';
import { ProductCounts } from './product-counts';
import type {
  AttributeSchemaDto,
  AttributeSchemaViewDto,
  CreateProductDto,
  ProductDto,
  UpdateProductDto,
} from './dto/product.dto';
import { PRODUCT_STATUSES, PRODUCT_TYPES, ProductStatus, ProductType } from './product.entity';
import { AttributeDefinition, assertTransition, validateAttributes } from './product-rules';
import type { Language } from '../../core/i18n';
import { ContentTranslationsService } from '../content-translations';
import { ProductsErrors } from './products.errors';

export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  type: ProductType;
  status: ProductStatus;
  price: string | null;
  currency_code: string | null;
  uom_code: string;
  category_id: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'name' | 'sku' | 'price' | 'createdAt' | 'updatedAt';
type Filter = 'status' | 'type' | 'categoryId' | 'tag' | 'currencyCode' | 'q';
export const PRODUCT_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['name', 'sku', 'price', 'createdAt', 'updatedAt'],
  defaultSort: 'name',
  filters: {
    status: { enum: PRODUCT_STATUSES },
    type: { enum: PRODUCT_TYPES },
    categoryId: 'uuid',
    tag: 'string',
    currencyCode: 'string',
    q: 'string',
  },
  cursor: true,
};
// Qualified: the select list's `sku::text AS sku` and `price::text AS price` would otherwise be
// what `ORDER BY sku` / `price` sorts (as text: `10` before `2`, `K-2` before `k-1`).
const SORT_COLUMNS: Record<Sort, string> = {
  name: 'products.name',
  sku: 'products.sku',
  price: 'products.price',
  createdAt: 'products.created_at',
  updatedAt: 'products.updated_at',
};
/** Keyset (`?cursor=`) form of every sort key: its column's type and whether it may be null. */
const KEYSETS: Record<Sort, Omit<Keyset, 'direction'>> = {
  name: { column: SORT_COLUMNS.name, type: 'text' },
  sku: { column: SORT_COLUMNS.sku, type: 'citext' },
  price: { column: SORT_COLUMNS.price, type: 'numeric', nullable: true },
  createdAt: { column: SORT_COLUMNS.createdAt, type: 'timestamptz' },
  updatedAt: { column: SORT_COLUMNS.updatedAt, type: 'timestamptz' },
};
export const PRODUCT_COLUMNS = `id, sku::text AS sku, name, description, type, status, price::text AS price, currency_code,
  uom_code, category_id, tags, attributes, created_at, updated_at, version`;
const LIVE = 'deleted_at IS NULL';

export const toProductDto = (row: ProductRow): ProductDto => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  description: row.description,
  type: row.type,
  status: row.status,
  price: row.price,
  currencyCode: row.currency_code,
  uomCode: row.uom_code,
  categoryId: row.category_id,
  tags: row.tags,
  attributes: row.attributes,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

const AUDITED: (keyof ProductDto)[] = [
  'sku',
  'name',
  'description',
  'status',
  'price',
  'currencyCode',
  'uomCode',
  'categoryId',
  'tags',
  'attributes',
];

/** The WHERE clause of a product list (shared by the list route and exports). */
export function productConditions(
  orgId: string,
  filters: ListQuery<Sort, Filter>['filters'],
): Conditions {
  const { status, type, categoryId, tag, currencyCode, q } = filters;
  return (
    new Conditions()
      .add('organization_id = ?', orgId)
      .add(LIVE)
      .addIf(status, 'status = ?')
      .addIf(type, 'type = ?')
      .addIf(categoryId, 'category_id = ?')
      .addIf(tag, '? = ANY(tags)')
      .addIf(currencyCode, 'currency_code = ?')
      // Full-text (every word a prefix, GIN-indexed; see modules/search) or a piece of the sku.
      .addIf(q, '(search_vector @@ search_prefix_query(?) OR sku ILIKE ?)', q, contains(q))
  );
}

/** The product catalog of one organization. Deleting is soft (`deleted_at`): history keeps it. */
@Injectable()
export class ProductsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly categories: CategoriesService,
    private readonly counts: ProductCounts,
    private readonly translations: ContentTranslationsService,
  ) {}

  /** `language`: translate names and descriptions into it (null: the organization's own). */
  list(
    orgId: string,
    query: ListQuery<Sort, Filter>,
    language: Language | null = null,
  ): Promise<Page<ProductDto>> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const where = productConditions(orgId, query.filters);
      const [single] = query.sort;
      const keyset: Keyset | undefined =
        query.sort.length === 1
          ? { ...KEYSETS[single.field], direction: single.direction }
          : undefined;
      if (query.cursor && !keyset) {
        throw new ValidationFailedError([
          { parameter: 'cursor', detail: '?cursor= needs a single sort key' },
        ]);
      }
      const { rows, total, nextCursor } = await selectPage<ProductRow>(manager, {
        select: PRODUCT_COLUMNS,
        from: 'products',
        where,
        order: orderBy(query.sort, SORT_COLUMNS),
        query,
        keyset,
        count: (load) => this.counts.exact(orgId, where, load),
      });
      let items = rows.map(toProductDto);
      if (language) {
        items = await this.translations.translate(manager, orgId, 'products', items, language);
      }
      return toPage(items, total, query, nextCursor);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<ProductDto> {
    const [row] = await manager.query<ProductRow[]>(
      `SELECT ${PRODUCT_COLUMNS} FROM products WHERE organization_id = $1 AND id = $2 AND ${LIVE}`,
      [orgId, id],
    );
    if (!row) throw new NotFoundError('Product');
    return toProductDto(row);
  }

  get(orgId: string, id: string, language: Language | null = null): Promise<ProductDto> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const product = await this.find(manager, orgId, id);
      if (!language) return product;
      const [translated] = await this.translations.translate(
        manager,
        orgId,
        'products',
        [product],
        language,
      );
      return translated;
    });
  }

  /**
   * For stock: the live product, or 422 `invalid_product` at `/productId` when there is none (the
   * not-found case only: any other failure, e.g. a statement timeout, propagates unchanged).
   */
  async findForStock(manager: EntityManager, orgId: string, id: string): Promise<ProductDto> {
    try {
      return await this.find(manager, orgId, id);
    } catch (error) {
      // Only "no such product" is the client's fault; a timeout or an aborted transaction is not.
      if (!(error instanceof NotFoundError)) throw error;
      throw ProductsErrors.invalid_product();
    }
  }

  private async definitions(
    manager: EntityManager,
    orgId: string,
  ): Promise<{ attributes: AttributeDefinition[]; version: number } | undefined> {
    const [row] = await manager.query<{ attributes: AttributeDefinition[]; version: number }[]>(
      'SELECT attributes, version FROM product_attribute_schemas WHERE organization_id = $1',
      [orgId],
    );
    return row;
  }

  /** Reference and consistency rules shared by create and update (422 at the field). */
  private async check(
    manager: EntityManager,
    orgId: string,
    product: Pick<ProductDto, 'price' | 'currencyCode' | 'uomCode' | 'categoryId' | 'attributes'>,
    changed: Partial<Record<keyof ProductDto, boolean>>,
  ): Promise<void> {
    if ((product.price === null) !== (product.currencyCode === null)) {
      throw ProductsErrors.price_currency_mismatch(
        product.price === null ? '/price' : '/currencyCode',
      );
    }
    if (changed.currencyCode && product.currencyCode) {
      const rows = await manager.query<unknown[]>(
        'SELECT 1 FROM currencies WHERE code = $1 AND is_active',
        [product.currencyCode],
      );
      if (rows.length === 0) throw ProductsErrors.invalid_currency();
    }
    if (changed.uomCode) {
      const rows = await manager.query<unknown[]>(
        'SELECT 1 FROM units_of_measure WHERE code = $1 AND is_active',
        [product.uomCode],
      );
      if (rows.length === 0) throw ProductsErrors.invalid_uom();
    }
    if (changed.categoryId && product.categoryId)
      await this.categories.assertUsable(manager, orgId, product.categoryId, 'product');
    if (changed.attributes)
      validateAttributes(
        product.attributes,
        (await this.definitions(manager, orgId))?.attributes ?? null,
      );
  }

  async create(orgId: string, dto: CreateProductDto, context: AuditContext): Promise<ProductDto> {
    return this.counts.afterWrite(orgId, () => this.insert(orgId, dto, context));
  }

  private insert(orgId: string, dto: CreateProductDto, context: AuditContext): Promise<ProductDto> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const product = {
        price: dto.price ?? null,
        currencyCode: dto.currencyCode ?? null,
        uomCode: dto.uomCode ?? 'pc',
        categoryId: dto.categoryId ?? null,
        attributes: dto.attributes ?? {},
      };
      const all = { currencyCode: true, uomCode: true, categoryId: true, attributes: true };
      await this.check(manager, orgId, product, all);
      const id = uuidv7();
      await manager.query(
        `INSERT INTO products (id, organization_id, sku, name, description, type, price, currency_code,
                               uom_code, category_id, tags, attributes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          id,
          orgId,
          dto.sku,
          dto.name,
          dto.description ?? '',
          dto.type,
          product.price,
          product.currencyCode,
          product.uomCode,
          product.categoryId,
          [...new Set(dto.tags ?? [])],
          product.attributes,
        ],
      );
      const created = await this.find(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'product',
        entityId: id,
        changes: { sku: created.sku, name: created.name, type: created.type, price: created.price },
        context,
      });
      return created;
    });
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateProductDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<ProductDto> {
    return this.counts.afterWrite(orgId, () =>
      this.change(orgId, id, dto, expectedVersion, context),
    );
  }

  private change(
    orgId: string,
    id: string,
    dto: UpdateProductDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<ProductDto> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      if (dto.status) assertTransition(before.status, dto.status);
      const next = {
        price: dto.price !== undefined ? dto.price : before.price,
        currencyCode: dto.currencyCode !== undefined ? dto.currencyCode : before.currencyCode,
        uomCode: dto.uomCode ?? before.uomCode,
        categoryId: dto.categoryId !== undefined ? dto.categoryId : before.categoryId,
        attributes: dto.attributes ?? before.attributes,
      };
      await this.check(manager, orgId, next, {
        currencyCode: dto.currencyCode !== undefined,
        uomCode: dto.uomCode !== undefined,
        categoryId: dto.categoryId !== undefined,
        attributes: dto.attributes !== undefined,
      });
      return this.audit.recordUpdate(
        manager,
        before,
        AUDITED,
        async () => {
          const rows = await returningRows<{ id: string }>(
            manager,
            `UPDATE products SET sku = COALESCE($4, sku), name = COALESCE($5, name),
                description = COALESCE($6, description), status = COALESCE($7, status),
                price = $8, currency_code = $9, uom_code = $10, category_id = $11,
                tags = COALESCE($12, tags), attributes = $13,
                version = version + 1, updated_at = now()
          WHERE organization_id = $1 AND id = $2 AND version = $3 AND ${LIVE} RETURNING id`,
            [
              orgId,
              id,
              before.version,
              dto.sku ?? null,
              dto.name ?? null,
              dto.description ?? null,
              dto.status ?? null,
              next.price,
              next.currencyCode,
              next.uomCode,
              next.categoryId,
              dto.tags ? [...new Set(dto.tags)] : null,
              next.attributes,
            ],
          );
          if (rows.length !== 1) throw new PreconditionFailedError();
          return await this.find(manager, orgId, id);
        },
        {
          organizationId: orgId,
          action: dto.status && dto.status !== before.status ? 'transition' : 'update',
          entityType: 'product',
          entityId: id,
          context,
        },
      );
    });
  }

  /** Soft delete: the row stays for the stock ledger and history; its sku becomes free. */
  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.counts.afterWrite(orgId, () =>
      this.softDelete(orgId, id, expectedVersion, context),
    );
  }

  private softDelete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      await manager.query(
        `UPDATE products SET deleted_at = now(), version = version + 1, updated_at = now()
          WHERE organization_id = $1 AND id = $2`,
        [orgId, id],
      );
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'product',
        entityId: id,
        changes: { sku: before.sku, name: before.name },
        context,
      });
    });
  }

  attributeSchema(orgId: string): Promise<AttributeSchemaViewDto> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const schema = await this.definitions(manager, orgId);
      return { attributes: schema?.attributes ?? [], version: schema?.version ?? 0 };
    });
  }

  /**
   * Replaces the organization's attribute definitions. Existing products are not rewritten: the
   * definitions apply to the next write of each product.
   */
  putAttributeSchema(
    orgId: string,
    dto: AttributeSchemaDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<AttributeSchemaViewDto> {
    const keys = dto.attributes.map((a) => a.key);
    const duplicate = keys.findIndex((key, index) => keys.indexOf(key) !== index);
    if (duplicate >= 0) {
      throw ProductsErrors.duplicate_key(keys[duplicate], duplicate);
    }
    return withTenant(this.dataSource, orgId, async (manager) => {
      const before = await this.definitions(manager, orgId);
      assertVersionMatches(expectedVersion, before?.version ?? 0);
      const attributes = dto.attributes.map((a) => ({
        key: a.key,
        type: a.type,
        required: a.required ?? false,
        ...(a.type === 'enum' ? { options: a.options ?? [] } : {}),
      }));
      const current = { attributes: before?.attributes ?? [], version: before?.version ?? 0 };
      return this.audit.recordUpdate(
        manager,
        current,
        ['attributes'],
        async () => {
          const rows = await returningRows<{ version: number }>(
            manager,
            `INSERT INTO product_attribute_schemas (organization_id, attributes) VALUES ($1, $2)
             ON CONFLICT (organization_id) DO UPDATE
                SET attributes = EXCLUDED.attributes, version = product_attribute_schemas.version + 1,
                    updated_at = now()
              WHERE product_attribute_schemas.version = $3
             RETURNING version`,
            [orgId, JSON.stringify(attributes), current.version],
          );
          if (rows.length !== 1) throw new PreconditionFailedError();
          return { attributes, version: rows[0].version };
        },
        {
          organizationId: orgId,
          action: 'update',
          entityType: 'product_attribute_schema',
          context,
          describe: (from, to) => ({ attributes: { from: from.attributes, to: to.attributes } }),
        },
      );
    });
  }
}
