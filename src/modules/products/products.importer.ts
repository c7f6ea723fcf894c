import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { CompiledFilter } from '../../core/filters';
import { parseListQuery, RuleViolationError } from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { normalizeName } from '../../core/text';
import { CategoriesService } from '../categories';
import { CurrenciesService } from '../currencies';
import { ConflictMode, Importer, ImporterRegistry, LoadedRows, RowError } from '../imports';
import { distinctTagNames, ImportTags, TagsService } from '../tags';
import { UnitsOfMeasureService } from '../units-of-measure';

import { CreateProductDto } from './dto/product.dto';
import { ProductCounts } from './product-counts';
import { PRODUCT_STATUSES, ProductStatus } from './product.entity';
import {
  customFieldColumns,
  CustomFieldRule,
  CustomFieldsService,
  valueToCell,
} from '../custom-fields';
import { ProductImportRow, productConditions, ProductsRepository } from './products.repository';
import { PRODUCT_LIST } from './products.service';

const COLUMNS = [
  'sku',
  'name',
  'description',
  'type',
  'status',
  'price',
  'currencyCode',
  'uomCode',
  'categoryId',
  'tags',
] as const;
/** `normalizeName` for a present cell; a cell left empty by it counts as missing. */
const normalizedCell = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : normalizeName(value) || undefined;

// eslint-disable-next-line no-control-regex -- C0 controls and DEL, exactly what it looks for
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tags are one cell, separated by `|` (a character tags cannot contain). */
const TAG_SEPARATOR = '|';

const flatten = (
  errors: ValidationError[],
): { column: string; message: string; rules: string[] }[] =>
  errors.flatMap((e) => [
    ...Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      column: e.property,
      message,
      rules: [rule],
    })),
    ...flatten(e.children ?? []),
  ]);

/** A CSV/XLSX cell trimmed; an empty one is missing. */
const cellOf = (values: Record<string, string>, name: string): string | undefined => {
  const value = (values[name] ?? '').trim();
  return value === '' ? undefined : value;
};

/**
 * The `POST /products` body one row's cells stand for (strings or missing; `tags` split on `|`),
 * normalised as the API normalises names, SKUs and tags.
 */
export function productRowInput(values: Record<string, string>) {
  const cell = (name: string) => cellOf(values, name);
  return {
    // Names, SKUs and tags follow the one normalisation rule, as through POST /products.
    sku: normalizedCell(cell('sku')),
    name: normalizedCell(cell('name')),
    description: cell('description'),
    type: cell('type'),
    price: cell('price'),
    currencyCode: cell('currencyCode'),
    uomCode: cell('uomCode'),
    categoryId: cell('categoryId'),
    tags: cell('tags')
      ?.split(TAG_SEPARATOR)
      .map((t) => normalizeName(t)),
  };
}

/**
 * `CreateProductDto`'s rules over one row's input (class-transformer, then class-validator with
 * the API's whitelist): one issue per broken rule, `column` = the DTO property, `message` =
 * class-validator's, `rules` = its rule name (for translation). No I/O.
 */
export function productDtoIssues(
  input: Record<string, unknown>,
): { column: string; message: string; rules: string[] }[] {
  const dto = plainToInstance(CreateProductDto, input);
  return flatten(validateSync(dto, { whitelist: true, forbidUnknownValues: false }));
}

/** What a product import run needs from the rest of the application. */
interface ProductImportDeps {
  db: TenantDatabase;
  repository: ProductsRepository;
  currencies: CurrenciesService;
  units: UnitsOfMeasureService;
  categories: CategoriesService;
  counts: ProductCounts;
  tags: TagsService;
  customFields: CustomFieldsService;
}

/**
 * Products: the same DTO and reference rules as `POST /products`, keyed by sku. References are
 * checked by their owners (`CurrenciesService.isActive`, `UnitsOfMeasureService.isActive`,
 * `CategoriesService.assertUsable`), once per distinct value of a run (memoised).
 */
export class ProductImporter implements Importer<ProductImportRow> {
  readonly resource = 'products' as const;
  readonly entityType = 'product';
  /** The fixed columns, then one `cf.<key>` per active custom field (known after `prepare`). */
  get columns(): readonly string[] {
    return [...COLUMNS, ...customFieldColumns(this.rules)];
  }
  readonly multilineColumns = ['description'];
  readonly keyColumn = 'sku';
  private orgId = '';
  private readonly known = new Map<string, Promise<boolean>>();
  private readonly tags: ImportTags;
  private rules: CustomFieldRule[] = [];
  private readonly memberships = new Map<string, Promise<boolean>>();

  constructor(private readonly deps: ProductImportDeps) {
    this.tags = new ImportTags(deps.tags, 'product');
  }

  async prepare(
    manager: EntityManager,
    orgId: string,
    actor?: { userId: string | null },
  ): Promise<void> {
    this.orgId = orgId;
    await this.tags.prepare(manager, orgId, actor?.userId ?? null);
    this.rules = await this.deps.customFields.rules(manager, orgId, 'product');
  }

  /** Whether a reference is usable, asked of its owner once per run and value. */
  private usable(kind: 'currency' | 'uom' | 'category', value: string): Promise<boolean> {
    // A control character (refused on its cell by the pipeline) is in no code: not asked.
    if (CONTROL_CHAR.test(value)) return Promise.resolve(false);
    const key = `${kind}:${value}`;
    let answer = this.known.get(key);
    if (!answer) {
      const { db, currencies, units, categories } = this.deps;
      answer = db.run(this.orgId, async (manager) => {
        if (kind === 'currency') return currencies.isActive(value, manager);
        if (kind === 'uom') return units.isActive(value, manager);
        try {
          await categories.assertUsable(manager, this.orgId, value, 'product');
          return true;
        } catch (error) {
          if (error instanceof RuleViolationError) return false;
          throw error;
        }
      });
      this.known.set(key, answer);
    }
    return answer;
  }

  async validate(
    values: Record<string, string>,
    line: number,
  ): Promise<{ row?: ProductImportRow; errors: RowError[] }> {
    const errors: RowError[] = [];
    const input = productRowInput(values);
    for (const issue of productDtoIssues(input)) errors.push({ line, ...issue });
    const status = (cellOf(values, 'status') ?? 'draft') as ProductStatus;
    if (!PRODUCT_STATUSES.includes(status))
      errors.push({
        line,
        column: 'status',
        message: `status must be one of: ${PRODUCT_STATUSES.join(', ')}`,
      });
    if ((input.price === undefined) !== (input.currencyCode === undefined))
      errors.push({
        line,
        column: input.price ? 'currencyCode' : 'price',
        message: 'a price needs a currency and a currency a price',
      });
    if (
      input.currencyCode &&
      /^[A-Z]{3}$/.test(input.currencyCode) &&
      !(await this.usable('currency', input.currencyCode))
    )
      errors.push({ line, column: 'currencyCode', message: 'unknown or inactive currency' });
    const uom = input.uomCode ?? 'pc';
    if (!(await this.usable('uom', uom)))
      errors.push({ line, column: 'uomCode', message: 'unknown or inactive unit of measure' });
    if (
      input.categoryId &&
      (!UUID.test(input.categoryId) ||
        !(await this.usable('category', input.categoryId.toLowerCase())))
    )
      errors.push({
        line,
        column: 'categoryId',
        message: 'not a product category of this organization',
      });
    for (const message of this.tags.check(input.tags ?? []))
      errors.push({ line, column: 'tags', message });
    const custom = await this.deps.customFields.importValues(
      this.orgId,
      this.rules,
      values,
      this.memberships,
    );
    for (const issue of custom.errors) errors.push({ line, ...issue });
    if (errors.length) return { errors };
    return {
      errors,
      row: {
        sku: input.sku!,
        name: input.name!,
        description: input.description ?? '',
        type: input.type!,
        status,
        price: input.price ?? null,
        currencyCode: input.currencyCode ?? null,
        uomCode: uom,
        categoryId: input.categoryId?.toLowerCase() ?? null,
        tags: distinctTagNames(input.tags ?? []),
        customFields: custom.values,
      },
    };
  }

  key(row: ProductImportRow): string {
    return row.sku.toLowerCase();
  }

  existing(manager: EntityManager, orgId: string, keys: string[]): Promise<Set<string>> {
    return this.deps.repository.liveSkusAmong(manager, orgId, keys);
  }

  async load(
    manager: EntityManager,
    orgId: string,
    rows: ProductImportRow[],
    onConflict: ConflictMode,
  ): Promise<LoadedRows> {
    const { repository } = this.deps;
    const { touched, ...loaded } = await repository.importBatch(manager, orgId, rows, onConflict);
    // Tags through the tags module: the written rows get theirs; in update mode a row whose only
    // change is its tags counts as updated (version bumped), as through PATCH.
    const changed = await this.tags.load(
      manager,
      orgId,
      rows.map((r) => ({ key: r.sku, names: r.tags })),
      touched.map((t) => ({ id: t.id, key: t.sku })),
      onConflict,
      async (skus) =>
        (await repository.tagsBySku(manager, orgId, skus)).map((p) => ({
          id: p.id,
          key: p.sku,
          names: p.tags,
        })),
      new Set(loaded.insertedIds),
    );
    await repository.touch(manager, orgId, changed);
    return {
      ...loaded,
      updated: loaded.updated + changed.length,
      skipped: loaded.skipped - changed.length,
      updatedIds: [...loaded.updatedIds, ...changed],
    };
  }

  /** A committed batch changed the catalog: the organization's cached list totals are stale. */
  afterCommit(orgId: string): Promise<void> {
    return this.deps.counts.invalidate(orgId);
  }

  async exportRows(
    manager: EntityManager,
    orgId: string,
    filters: Record<string, unknown>,
    after: string | undefined,
    limit: number,
    filter?: CompiledFilter,
  ): Promise<{ values: unknown[][]; last?: string }> {
    const query = parseListQuery(PRODUCT_LIST, filters, { defaultSize: limit, maxSize: limit });
    const where = productConditions(orgId, query.filters, filter);
    const rows = await this.deps.repository.exportPage(manager, where, after, limit);
    const active = this.rules.filter((r) => r.isActive);
    return {
      values: rows.map((r) => [
        r.sku,
        r.name,
        r.description,
        r.type,
        r.status,
        r.price,
        r.currency_code,
        r.uom_code,
        r.category_id,
        r.tags,
        ...active.map((rule) => valueToCell(r.custom_fields as Record<string, unknown>, rule.key)),
      ]),
      last: rows.length ? String(rows[rows.length - 1].sku) : undefined,
    };
  }
}

/** Registers the products importer with the import pipeline (see modules/imports). */
@Injectable()
export class ProductImporterRegistration implements OnModuleInit {
  constructor(
    private readonly registry: ImporterRegistry,
    private readonly db: TenantDatabase,
    private readonly repository: ProductsRepository,
    private readonly currencies: CurrenciesService,
    private readonly units: UnitsOfMeasureService,
    private readonly categories: CategoriesService,
    private readonly counts: ProductCounts,
    private readonly tags: TagsService,
    private readonly customFields: CustomFieldsService,
  ) {}

  onModuleInit(): void {
    const deps: ProductImportDeps = {
      db: this.db,
      repository: this.repository,
      currencies: this.currencies,
      units: this.units,
      categories: this.categories,
      counts: this.counts,
      tags: this.tags,
      customFields: this.customFields,
    };
    this.registry.register({
      resource: 'products',
      list: PRODUCT_LIST,
      create: () => new ProductImporter(deps),
    });
  }
}
