import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { iso } from '../../core/database';
import {
  defineList,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  ValidationFailedError,
  toPage,
} from '../../core/http';
import { Statement, TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { CategoriesService } from '../categories';
import { ProductCounts } from './product-counts';
import type {
  CreateProductDto,
  ProductDto,
  ProductLifecycleDto,
  UpdateProductDto,
} from './dto/product.dto';
import { PRODUCT_STATUSES, PRODUCT_TYPES } from './product.entity';
import { assertTransition, PRODUCT_LIFECYCLE, ProductAction } from './product-rules';
import { StateMachineError } from '../../core/state-machine';
import { CustomFieldsService } from '../custom-fields';
import type { Language } from '../../core/i18n';
import { ContentTranslationsService } from '../content-translations';
import { ProductsErrors } from './products.errors';
import { CurrenciesService } from '../currencies';
import { UnitsOfMeasureService } from '../units-of-measure';
import { TagActor, TagsService } from '../tags';
import {
  PRODUCT_FILTER_FIELDS,
  ProductFilter,
  ProductRow,
  ProductsRepository,
  ProductSort,
} from './products.repository';

type Sort = ProductSort;
type Filter = ProductFilter;
export const PRODUCT_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'products',
  sortable: ['name', 'sku', 'price', 'createdAt', 'updatedAt'],
  defaultSort: 'name',
  fields: PRODUCT_FILTER_FIELDS,
  customFields: { entityType: 'product', column: 'products.custom_fields' },
  filters: {
    status: { enum: PRODUCT_STATUSES },
    type: { enum: PRODUCT_TYPES },
    categoryId: 'uuid',
    tag: 'names',
    tagAny: 'names',
    currencyCode: 'string',
    q: 'string',
  },
  cursor: true,
});

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
  customFields: row.custom_fields,
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
  'customFields',
];

/** The product catalog of one organization. Deleting is soft (`deleted_at`): history keeps it. */
@Injectable()
export class ProductsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: ProductsRepository,
    private readonly currencies: CurrenciesService,
    private readonly units: UnitsOfMeasureService,
    private readonly audit: AuditService,
    private readonly categories: CategoriesService,
    private readonly counts: ProductCounts,
    private readonly translations: ContentTranslationsService,
    private readonly tags: TagsService,
    private readonly customFields: CustomFieldsService,
  ) {
    // Tag changes made outside product writes (PUT /taggings, rename, merge) change the totals
    // of ?tag= lists too.
    tags.onTaggingsChanged('product', (orgId) => counts.invalidate(orgId));
  }

  /** `language`: translate names and descriptions into it (null: the organization's own). */
  list(
    orgId: string,
    query: ListQuery<Sort, Filter>,
    language: Language | null = null,
  ): Promise<Page<ProductDto>> {
    // Read path: one round trip per statement (no BEGIN/COMMIT), RLS as in `run` (SPEC §8).
    return this.db.read(orgId, async (manager) => {
      if (query.cursor && query.sort.length !== 1) {
        throw new ValidationFailedError([
          { parameter: 'cursor', detail: '?cursor= needs a single sort key' },
        ]);
      }
      const { rows, total, nextCursor } = await this.repository.page(
        manager,
        orgId,
        query,
        (where, load) => this.counts.exact(orgId, where, load),
      );
      let items = rows.map(toProductDto);
      if (language) {
        items = await this.translations.translate(manager, orgId, 'products', items, language);
      }
      return toPage(items, total, query, nextCursor);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<ProductDto> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Product');
    return toProductDto(row);
  }

  get(orgId: string, id: string, language: Language | null = null): Promise<ProductDto> {
    return this.db.read(orgId, async (manager) => {
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
   * For stock: the statement of the live product's id and type (all a move needs: one indexed
   * row, no tags or custom fields), for the caller to send with its own (`queryTogether`); its
   * decode throws 422 `invalid_product` at `/productId` when there is none.
   */
  stockKindStatement(orgId: string, id: string): Statement<Pick<ProductDto, 'id' | 'type'>> {
    const statement = this.repository.kindByIdStatement(orgId, id);
    return {
      ...statement,
      decode: (rows) => {
        const row = statement.decode(rows);
        if (!row) throw ProductsErrors.invalid_product();
        return row;
      },
    };
  }

  /** Reference and consistency rules shared by create and update (422 at the field). */
  private async check(
    manager: EntityManager,
    orgId: string,
    product: Pick<ProductDto, 'price' | 'currencyCode' | 'uomCode' | 'categoryId'>,
    changed: Partial<Record<keyof ProductDto, boolean>>,
  ): Promise<void> {
    if ((product.price === null) !== (product.currencyCode === null)) {
      throw ProductsErrors.price_currency_mismatch(
        product.price === null ? '/price' : '/currencyCode',
      );
    }
    if (changed.currencyCode && product.currencyCode) {
      if (!(await this.currencies.isActive(product.currencyCode, manager)))
        throw ProductsErrors.invalid_currency();
    }
    if (changed.uomCode) {
      if (!(await this.units.isActive(product.uomCode, manager)))
        throw ProductsErrors.invalid_uom();
    }
    if (changed.categoryId && product.categoryId)
      await this.categories.assertUsable(manager, orgId, product.categoryId, 'product');
  }

  /** `actor`: whose rights decide whether unknown tag names create tags (`tags:create`). */
  async create(
    orgId: string,
    dto: CreateProductDto,
    context: AuditContext,
    actor: TagActor,
  ): Promise<ProductDto> {
    return this.counts.afterWrite(orgId, () => this.insert(orgId, dto, context, actor));
  }

  private insert(
    orgId: string,
    dto: CreateProductDto,
    context: AuditContext,
    actor: TagActor,
  ): Promise<ProductDto> {
    return this.db.run(orgId, async (manager) => {
      const product = {
        price: dto.price ?? null,
        currencyCode: dto.currencyCode ?? null,
        uomCode: dto.uomCode ?? 'pc',
        categoryId: dto.categoryId ?? null,
      };
      const all = { currencyCode: true, uomCode: true, categoryId: true };
      await this.check(manager, orgId, product, all);
      const customFields = await this.customFields.validate(
        manager,
        orgId,
        'product',
        dto.customFields ?? {},
      );
      const id = uuidv7();
      await this.repository.insert(manager, orgId, {
        id,
        sku: dto.sku,
        name: dto.name,
        description: dto.description ?? '',
        type: dto.type,
        price: product.price,
        currencyCode: product.currencyCode,
        uomCode: product.uomCode,
        categoryId: product.categoryId,
        customFields,
      });
      if (dto.tags?.length)
        await this.tags.setTagsMany(manager, orgId, actor, 'product', [
          { targetId: id, names: dto.tags, fresh: true },
        ]);
      const created = await this.find(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'product',
        entityId: id,
        changes: {
          sku: created.sku,
          name: created.name,
          type: created.type,
          price: created.price,
          ...(created.tags.length ? { tags: created.tags } : {}),
        },
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
    actor: TagActor,
  ): Promise<ProductDto> {
    return this.counts.afterWrite(orgId, () =>
      this.change(orgId, id, dto, expectedVersion, context, actor),
    );
  }

  private change(
    orgId: string,
    id: string,
    dto: UpdateProductDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
    actor: TagActor,
  ): Promise<ProductDto> {
    return this.db.run(orgId, async (manager) => {
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        fields: AUDITED,
        action: (before) => (dto.status && dto.status !== before.status ? 'transition' : 'update'),
        write: async (before) => {
          if (dto.status) assertTransition(before.status, dto.status);
          const next = {
            price: dto.price !== undefined ? dto.price : before.price,
            currencyCode: dto.currencyCode !== undefined ? dto.currencyCode : before.currencyCode,
            uomCode: dto.uomCode ?? before.uomCode,
            categoryId: dto.categoryId !== undefined ? dto.categoryId : before.categoryId,
          };
          await this.check(manager, orgId, next, {
            currencyCode: dto.currencyCode !== undefined,
            uomCode: dto.uomCode !== undefined,
            categoryId: dto.categoryId !== undefined,
          });
          // PATCH merges: the keys sent replace the stored ones, null removes one.
          const customFields = dto.customFields
            ? await this.customFields.validate(manager, orgId, 'product', dto.customFields, {
                previous: before.customFields,
              })
            : before.customFields;
          await this.repository.update(manager, orgId, id, before.version, {
            sku: dto.sku ?? null,
            name: dto.name ?? null,
            description: dto.description ?? null,
            status: dto.status ?? null,
            price: next.price,
            currencyCode: next.currencyCode,
            uomCode: next.uomCode,
            categoryId: next.categoryId,
            customFields,
          });
          if (dto.tags)
            await this.tags.setTagsMany(manager, orgId, actor, 'product', [
              { targetId: id, names: dto.tags },
            ]);
          return await this.find(manager, orgId, id);
        },
        entry: { organizationId: orgId, entityType: 'product', entityId: id, context },
      });
    });
  }

  /** The product's lifecycle status and the actions it offers (`GET /products/{id}/transitions`). */
  lifecycle(orgId: string, id: string): Promise<ProductLifecycleDto> {
    return this.db.read(orgId, async (manager) => {
      const product = await this.find(manager, orgId, id);
      return {
        status: product.status,
        version: product.version,
        actions: PRODUCT_LIFECYCLE.availableActions(product.status, undefined),
      };
    });
  }

  /**
   * Applies a lifecycle action (`POST /products/{id}/transitions`): the product's new status
   * through the same guarded write as a PATCH of `status` (If-Match, audit `transition`). An
   * action the lifecycle does not offer from the current status → 422 `invalid_product_action`.
   */
  async applyAction(
    orgId: string,
    id: string,
    action: ProductAction,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
    actor: TagActor,
  ): Promise<ProductDto> {
    const current = await this.get(orgId, id);
    let status: ProductDto['status'];
    try {
      status = PRODUCT_LIFECYCLE.apply(current.status, action, undefined);
    } catch (error) {
      if (!(error instanceof StateMachineError)) throw error;
      const available = PRODUCT_LIFECYCLE.availableActions(current.status, undefined);
      throw ProductsErrors.invalid_product_action(
        action,
        current.status,
        available.map((a) => a.action),
      );
    }
    // The guarded write re-reads the row: a concurrent change answers 412 (If-Match) or 422.
    return this.update(orgId, id, { status }, expectedVersion, context, actor);
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
    return this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        remove: () => this.repository.softDelete(manager, orgId, id),
        // What hangs off it (attachments, comments, followers, …) goes with it.
        target: 'product',
        entry: { organizationId: orgId, entityType: 'product', entityId: id, context },
        changes: (before) => ({ sku: before.sku, name: before.name }),
      });
    });
  }
}
