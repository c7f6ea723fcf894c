import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  Conditions,
  contains,
  Keyset,
  orderBy,
  returningRows,
  selectPage,
} from '../../core/database';
import type { CompiledFilter, FilterField } from '../../core/filters';
import type { Statement } from '../../core/tenancy';
import { ListQuery, PreconditionFailedError } from '../../core/http';
import { actAsTenant, ConflictMode, copyRows, LoadedRows } from '../imports';
import { PRODUCT_STATUSES, PRODUCT_TYPES } from './product.entity';
import { addTagFilters, tagNamesOf, tagsFilterField } from '../tags';
import type { ProductStatus, ProductType } from './product.entity';

/** A `products` row as the repository reads it (`sku` and `price` as text). */
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
  custom_fields: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** One validated import row (see `products.importer.ts`). */
export interface ProductImportRow {
  sku: string;
  name: string;
  description: string;
  type: string;
  status: ProductStatus;
  price: string | null;
  currencyCode: string | null;
  uomCode: string;
  categoryId: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
}

/** Sort keys of a product list. */
export type ProductSort = 'name' | 'sku' | 'price' | 'createdAt' | 'updatedAt';
/** Filters of a product list. */
export type ProductFilter =
  'status' | 'type' | 'categoryId' | 'tag' | 'tagAny' | 'currencyCode' | 'q';

/** The columns of a new product (the id comes from the caller, uuid v7). */
export interface NewProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  type: ProductType;
  price: string | null;
  currencyCode: string | null;
  uomCode: string;
  categoryId: string | null;
  customFields: Record<string, unknown>;
}

/** The full next state of an updated product; `null` in the nullable-by-omission fields keeps the column. */
export interface ProductChanges {
  sku: string | null;
  name: string | null;
  description: string | null;
  status: ProductStatus | null;
  price: string | null;
  currencyCode: string | null;
  uomCode: string;
  categoryId: string | null;
  customFields: Record<string, unknown>;
}

// Qualified: the select list's `sku::text AS sku` and `price::text AS price` would otherwise be
// what `ORDER BY sku` / `price` sorts (as text: `10` before `2`, `K-2` before `k-1`).
const SORT_COLUMNS: Record<ProductSort, string> = {
  name: 'products.name',
  sku: 'products.sku',
  price: 'products.price',
  createdAt: 'products.created_at',
  updatedAt: 'products.updated_at',
};
/** Keyset (`?cursor=`) form of every sort key: its column's type and whether it may be null. */
const KEYSETS: Record<ProductSort, Omit<Keyset, 'direction'>> = {
  name: { column: SORT_COLUMNS.name, type: 'text' },
  sku: { column: SORT_COLUMNS.sku, type: 'citext' },
  price: { column: SORT_COLUMNS.price, type: 'numeric', nullable: true },
  createdAt: { column: SORT_COLUMNS.createdAt, type: 'timestamptz' },
  updatedAt: { column: SORT_COLUMNS.updatedAt, type: 'timestamptz' },
};
/** The product's tag names, in the same statement (one round trip per page, SPEC §8). */
const TAGS = tagNamesOf('product', 'products.id', 'products.organization_id');
/** The select list of a {@link ProductRow} (`FROM products`, unaliased). */
export const PRODUCT_COLUMNS = `id, sku::text AS sku, name, description, type, status, price::text AS price, currency_code,
  uom_code, category_id, ${TAGS} AS tags, custom_fields, created_at, updated_at, version`;
const LIVE = 'deleted_at IS NULL';

/** A live category of the product's organization (the `category.*` relation paths). */
const CATEGORY = {
  from: 'categories filter_category',
  join: 'filter_category.id = products.category_id AND filter_category.organization_id = products.organization_id',
};
/** `?filter=` fields of a product list (issue 18). */
export const PRODUCT_FILTER_FIELDS: Record<string, FilterField> = {
  id: { type: 'uuid', column: 'products.id' },
  sku: { type: 'string', column: 'products.sku' },
  name: { type: 'string', column: 'products.name' },
  description: { type: 'text', column: 'products.description' },
  type: { type: { enum: PRODUCT_TYPES }, column: 'products.type' },
  status: { type: { enum: PRODUCT_STATUSES }, column: 'products.status' },
  price: { type: 'decimal', column: 'products.price' },
  currencyCode: { type: 'string', column: 'products.currency_code' },
  uomCode: { type: 'string', column: 'products.uom_code' },
  categoryId: { type: 'uuid', column: 'products.category_id' },
  tags: tagsFilterField('product', 'products.id'),
  createdAt: { type: 'datetime', column: 'products.created_at' },
  updatedAt: { type: 'datetime', column: 'products.updated_at' },
  'category.name': { type: 'string', column: 'filter_category.name', relation: CATEGORY },
  'category.depth': { type: 'int', column: 'filter_category.depth', relation: CATEGORY },
  'category.path': { type: 'text', column: 'filter_category.path', relation: CATEGORY },
};

/** The WHERE clause of a product list (shared by the list route and exports). */
export function productConditions(
  orgId: string,
  filters: ListQuery<ProductSort, ProductFilter>['filters'],
  filter?: CompiledFilter,
): Conditions {
  const { status, type, categoryId, tag, tagAny, currencyCode, q } = filters;
  const where = new Conditions()
    .add('products.organization_id = ?', orgId)
    .add(LIVE)
    .addIf(status, 'status = ?')
    .addIf(type, 'type = ?')
    .addIf(categoryId, 'category_id = ?')
    .addIf(currencyCode, 'currency_code = ?')
    // Full-text (every word a prefix, GIN-indexed; see modules/search) or a piece of the sku.
    .addIf(q, '(search_vector @@ search_prefix_query(?) OR sku ILIKE ?)', q, contains(q));
  // ?tag= (every name) and ?tagAny= (any name), by folded key through taggings.
  return addTagFilters(where, 'product', 'products.id', { tag, tagAny }).addFilter(filter);
}

/**
 * The only SQL on `products`. Every method takes the caller's
 * transaction (normally `TenantDatabase.run`) and the organization id first, and filters by it
 * (row-level security is the second wall). Soft-deleted products (`deleted_at`) are invisible to
 * every read. Never opens a transaction.
 */
@Injectable()
export class ProductsRepository {
  /**
   * One page of live products: offset pages, or keyset pages (`query.cursor`, a single sort key
   * only; the caller validates that). `count` loads the exact total (cached by the caller).
   */
  async page(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<ProductSort, ProductFilter>,
    count: (where: Conditions, load: () => Promise<number>) => Promise<number>,
  ): Promise<{ rows: ProductRow[]; total: number; nextCursor?: string }> {
    const where = productConditions(orgId, query.filters, query.filter);
    const [single] = query.sort;
    const keyset: Keyset | undefined =
      query.sort.length === 1
        ? single.custom
          ? {
              column: single.custom.expression,
              type: single.custom.type,
              nullable: true,
              direction: single.direction,
            }
          : { ...KEYSETS[single.field], direction: single.direction }
        : undefined;
    return selectPage<ProductRow>(manager, {
      select: PRODUCT_COLUMNS,
      from: 'products',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
      keyset,
      count: (load) => count(where, load),
    });
  }

  /**
   * Whether the organization has the live (not soft-deleted) product `id`; `forShare` also
   * share-locks it to the end of the caller's transaction (see `tenantRowExists`).
   */
  async exists(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { forShare?: boolean } = {},
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM products WHERE organization_id = $1 AND id = $2 AND ${LIVE}${options.forShare ? ' FOR SHARE' : ''}`,
      [orgId, id],
    );
    return rows.length > 0;
  }

  /** Whether a live product of the organization has `status` (the statuses registry's in-use check). */
  async anyWithStatus(manager: EntityManager, orgId: string, status: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM products WHERE organization_id = $1 AND status = $2 AND ${LIVE} LIMIT 1`,
      [orgId, status],
    );
    return rows.length > 0;
  }

  /** The live product `id` of the organization, or `undefined`. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<ProductRow | undefined> {
    const [row] = await manager.query<ProductRow[]>(
      `SELECT ${PRODUCT_COLUMNS} FROM products WHERE organization_id = $1 AND id = $2 AND ${LIVE}`,
      [orgId, id],
    );
    return row;
  }

  /** The live product's id and type only (stock moves), or `undefined`. */
  /** The live product's id and type (`undefined` when the organization has none with this id). */
  kindByIdStatement(
    orgId: string,
    id: string,
  ): Statement<{ id: string; type: ProductRow['type'] } | undefined> {
    return {
      sql: `SELECT id, type FROM products WHERE organization_id = $1 AND id = $2 AND ${LIVE}`,
      params: [orgId, id],
      decode: (rows) => rows[0] as { id: string; type: ProductRow['type'] } | undefined,
    };
  }

  /** The live product with this sku (compared case-insensitively, `citext`), or `undefined`. */
  async findBySku(
    manager: EntityManager,
    orgId: string,
    sku: string,
  ): Promise<ProductRow | undefined> {
    const [row] = await manager.query<ProductRow[]>(
      `SELECT ${PRODUCT_COLUMNS} FROM products WHERE organization_id = $1 AND sku = $2 AND ${LIVE}`,
      [orgId, sku],
    );
    return row;
  }

  /** Inserts a product (the unique live sku index answers a duplicate with 23505). */
  async insert(manager: EntityManager, orgId: string, product: NewProduct): Promise<void> {
    await manager.query(
      `INSERT INTO products (id, organization_id, sku, name, description, type, price, currency_code,
                             uom_code, category_id, custom_fields)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        product.id,
        orgId,
        product.sku,
        product.name,
        product.description,
        product.type,
        product.price,
        product.currencyCode,
        product.uomCode,
        product.categoryId,
        product.customFields,
      ],
    );
  }

  /**
   * Guarded update of a live product still at `version` (version bumped). Throws
   * `PreconditionFailedError` (412) when the row changed or went since it was read.
   */
  async update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: ProductChanges,
  ): Promise<void> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE products SET sku = COALESCE($4, sku), name = COALESCE($5, name),
          description = COALESCE($6, description), status = COALESCE($7, status),
          price = $8, currency_code = $9, uom_code = $10, category_id = $11, custom_fields = $12,
          version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND version = $3 AND ${LIVE} RETURNING id`,
      [
        orgId,
        id,
        version,
        changes.sku,
        changes.name,
        changes.description,
        changes.status,
        changes.price,
        changes.currencyCode,
        changes.uomCode,
        changes.categoryId,
        changes.customFields,
      ],
    );
    if (rows.length !== 1) throw new PreconditionFailedError();
  }

  /**
   * Sets a live product's lifecycle `status` (a workflow transition), version bumped; resolves
   * to the status it had (undefined: no live product).
   */
  async setStatus(
    manager: EntityManager,
    orgId: string,
    id: string,
    status: ProductStatus,
  ): Promise<ProductStatus | undefined> {
    const rows = await returningRows<{ before: ProductStatus }>(
      manager,
      `UPDATE products p SET status = $3, version = p.version + 1, updated_at = now()
         FROM (SELECT id, status FROM products WHERE organization_id = $1 AND id = $2 AND ${LIVE} FOR UPDATE) old
        WHERE p.organization_id = $1 AND p.id = old.id
        RETURNING old.status AS before`,
      [orgId, id, status],
    );
    return rows[0]?.before;
  }

  /** Soft delete: `deleted_at` set, version bumped; the row stays for the ledger and history. */
  async softDelete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await manager.query(
      `UPDATE products SET deleted_at = now(), version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
  }

  /** Which of `keys` (skus, compared case-insensitively) are live skus: lower-cased. */
  async liveSkusAmong(manager: EntityManager, orgId: string, keys: string[]): Promise<Set<string>> {
    const rows = await manager.query<{ sku: string }[]>(
      `SELECT lower(sku::text) AS sku FROM products
        WHERE organization_id = $1 AND deleted_at IS NULL AND sku = ANY($2::citext[])`,
      [orgId, keys],
    );
    return new Set(rows.map((r) => r.sku));
  }

  /**
   * Loads an import batch set-based: COPY into a staging temp table, then one INSERT … ON CONFLICT
   * (skip, or update changed rows). Switches the transaction to the tenant role first. Tags are
   * not loaded here (the importer sets them through the tags module); `touched` names the rows
   * written (id, sku).
   */
  async importBatch(
    manager: EntityManager,
    orgId: string,
    rows: ProductImportRow[],
    onConflict: ConflictMode,
  ): Promise<LoadedRows & { touched: { id: string; sku: string }[] }> {
    await actAsTenant(manager, orgId);
    await manager.query('DROP TABLE IF EXISTS pg_temp.import_products');
    await manager.query(`CREATE TEMP TABLE import_products (
        sku text, name text, description text, type text, status text, price numeric, currency_code text,
        uom_code text, category_id uuid, custom_fields jsonb) ON COMMIT DROP`);
    await copyRows(
      manager,
      'import_products',
      [
        'sku',
        'name',
        'description',
        'type',
        'status',
        'price',
        'currency_code',
        'uom_code',
        'category_id',
        'custom_fields',
      ],
      rows.map((r) => [
        r.sku,
        r.name,
        r.description,
        r.type,
        r.status,
        r.price,
        r.currencyCode,
        r.uomCode,
        r.categoryId,
        JSON.stringify(r.customFields),
      ]),
    );
    const onConflictSql =
      onConflict === 'update'
        ? `DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, price = EXCLUDED.price,
             currency_code = EXCLUDED.currency_code, uom_code = EXCLUDED.uom_code, category_id = EXCLUDED.category_id,
             custom_fields = products.custom_fields || EXCLUDED.custom_fields,
             version = products.version + 1, updated_at = now()
           WHERE (products.name, products.description, products.price, products.currency_code, products.uom_code,
                  products.category_id, products.custom_fields)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.price, EXCLUDED.currency_code,
                  EXCLUDED.uom_code, EXCLUDED.category_id, products.custom_fields || EXCLUDED.custom_fields)`
        : 'DO NOTHING';
    const [counts] = await manager.query<
      {
        inserted: number;
        updated: number;
        insertedIds: string[];
        updatedIds: string[];
        touched: { id: string; sku: string }[];
      }[]
    >(
      `WITH done AS (
         INSERT INTO products (organization_id, sku, name, description, type, status, price, currency_code, uom_code,
                               category_id, custom_fields)
         SELECT $1, sku, name, description, type, status, price, currency_code, uom_code, category_id, custom_fields
           FROM import_products
         ON CONFLICT (organization_id, sku) WHERE deleted_at IS NULL ${onConflictSql}
         RETURNING id, sku::text AS sku, (xmax = 0) AS inserted)
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated,
              coalesce(array_agg(id::text) FILTER (WHERE inserted), '{}') AS "insertedIds",
              coalesce(array_agg(id::text) FILTER (WHERE NOT inserted), '{}') AS "updatedIds",
              coalesce(json_agg(json_build_object('id', id, 'sku', sku)), '[]') AS touched
         FROM done`,
      [orgId],
    );
    return {
      inserted: counts.inserted,
      updated: counts.updated,
      skipped: rows.length - counts.inserted - counts.updated,
      insertedIds: counts.insertedIds,
      updatedIds: counts.updatedIds,
      touched: counts.touched,
    };
  }

  /** Live products of these skus (compared as citext) with their tag names (import: tags-only changes). */
  tagsBySku(
    manager: EntityManager,
    orgId: string,
    skus: string[],
  ): Promise<{ id: string; sku: string; tags: string[] }[]> {
    return manager.query<{ id: string; sku: string; tags: string[] }[]>(
      `SELECT id, sku::text AS sku, ${TAGS} AS tags FROM products
        WHERE organization_id = $1 AND ${LIVE} AND sku = ANY($2::citext[])`,
      [orgId, skus],
    );
  }

  /** Bumps the version of products whose tags an import changed (nothing else changed). */
  async touch(manager: EntityManager, orgId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `UPDATE products SET version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [orgId, ids],
    );
  }

  /** One export page of products matching `where`, after sku `after` (keyset by sku). */
  exportPage(
    manager: EntityManager,
    where: Conditions,
    after: string | undefined,
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    if (after !== undefined) where.add('sku > ?::citext', after);
    return manager.query<Record<string, unknown>[]>(
      `SELECT sku::text AS sku, name, description, type, status, price::text AS price, currency_code, uom_code,
              category_id, array_to_string(${TAGS}, '|') AS tags, custom_fields
         FROM products WHERE ${where.sql} ORDER BY sku LIMIT ${Number(limit)}`,
      where.params,
    );
  }
}
