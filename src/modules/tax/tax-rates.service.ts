import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
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
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type {
  CreateTaxRateDto,
  TaxRateDto,
  TaxRateLookupDto,
  UpdateTaxRateDto,
} from './dto/tax.dto';
import { TaxCategoriesService } from './tax-categories.service';
import { TaxJurisdictionsService } from './tax-jurisdictions.service';
import { TaxRateFilter, TaxRateRow, TaxRateSort, TaxRatesRepository } from './tax-rates.repository';
import { TaxErrors } from './tax.errors';

type Sort = TaxRateSort;
type Filter = TaxRateFilter;
export const TAX_RATE_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'tax-rates',
  sortable: ['validFrom', 'rate', 'name', 'createdAt'],
  defaultSort: '-validFrom',
  filters: { jurisdictionId: 'uuid', taxCategoryId: 'uuid', activeOn: 'date' },
  fields: {
    id: { type: 'uuid', column: 'tax_rates.id' },
    jurisdictionId: { type: 'uuid', column: 'tax_rates.jurisdiction_id' },
    taxCategoryId: { type: 'uuid', column: 'tax_rates.tax_category_id' },
    name: { type: 'string', column: 'tax_rates.name' },
    rate: { type: 'decimal', column: 'tax_rates.rate' },
    validFrom: { type: 'date', column: 'tax_rates.valid_from' },
    validTo: { type: 'date', column: 'tax_rates.valid_to' },
    createdAt: { type: 'datetime', column: 'tax_rates.created_at' },
    'jurisdiction.code': {
      type: 'string',
      column: 'filter_jurisdiction.code',
      relation: {
        from: 'tax_jurisdictions filter_jurisdiction',
        join: 'filter_jurisdiction.id = tax_rates.jurisdiction_id AND filter_jurisdiction.organization_id = tax_rates.organization_id',
      },
    },
    'taxCategory.code': {
      type: 'string',
      column: 'filter_tax_category.code',
      relation: {
        from: 'tax_categories filter_tax_category',
        join: 'filter_tax_category.id = tax_rates.tax_category_id AND filter_tax_category.organization_id = tax_rates.organization_id',
      },
    },
  },
});
const toDto = (row: TaxRateRow): TaxRateDto => ({
  id: row.id,
  jurisdictionId: row.jurisdiction_id,
  taxCategoryId: row.tax_category_id,
  name: row.name,
  rate: row.rate,
  validFrom: row.valid_from,
  validTo: row.valid_to,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

function assertRange(validFrom: string, validTo: string | null | undefined): void {
  if (validTo && validTo <= validFrom) {
    throw TaxErrors.invalid_range();
  }
}

/**
 * Tax rates in force over `[validFrom, validTo)` per jurisdiction × tax category. Overlapping
 * ranges for one pair are refused by an exclusion constraint in PostgreSQL (409), so two
 * concurrent writers cannot both slip an overlap past a check made in code.
 */
@Injectable()
export class TaxRatesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly jurisdictions: TaxJurisdictionsService,
    private readonly categories: TaxCategoriesService,
    private readonly repository: TaxRatesRepository,
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<TaxRateDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<TaxRateDto> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Tax rate');
    return toDto(row);
  }

  get(orgId: string, id: string): Promise<TaxRateDto> {
    return this.db.read(orgId, (manager) => this.find(manager, orgId, id));
  }

  /**
   * The rate in force on `date` for the jurisdiction and category; when the jurisdiction has none,
   * the nearest ancestor's (a city falls back to its state, then its country). 404 `no_tax_rate`.
   */
  lookup(orgId: string, query: TaxRateLookupDto): Promise<TaxRateDto> {
    return this.db.read(orgId, async (manager) => {
      const jurisdiction = await this.jurisdictions.find(manager, orgId, query.jurisdictionId);
      const ancestors = jurisdiction.path.split('/').filter(Boolean);
      const row = await this.repository.findInForce(
        manager,
        orgId,
        query.taxCategoryId,
        ancestors,
        query.date,
      );
      if (!row) {
        throw TaxErrors.no_tax_rate();
      }
      return toDto(row);
    });
  }

  create(orgId: string, dto: CreateTaxRateDto, context: AuditContext): Promise<TaxRateDto> {
    assertRange(dto.validFrom, dto.validTo);
    return this.db.run(orgId, async (manager) => {
      await this.assertReferences(manager, orgId, dto);
      const id = uuidv7();
      await this.repository.insert(manager, orgId, {
        id,
        jurisdictionId: dto.jurisdictionId,
        taxCategoryId: dto.taxCategoryId,
        name: dto.name,
        rate: dto.rate,
        validFrom: dto.validFrom,
        validTo: dto.validTo ?? null,
      });
      const created = await this.find(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'tax_rate',
        entityId: id,
        changes: {
          jurisdictionId: dto.jurisdictionId,
          taxCategoryId: dto.taxCategoryId,
          rate: created.rate,
          validFrom: created.validFrom,
          validTo: created.validTo,
        },
        context,
      });
      return created;
    });
  }

  /**
   * 422 `invalid_reference` at the field when the jurisdiction or tax category is not this
   * organization's (their `find` answers 404). Any other failure (a statement timeout, an aborted
   * transaction) propagates unchanged.
   */
  private async assertReferences(manager: EntityManager, orgId: string, dto: CreateTaxRateDto) {
    const owned = async (pointer: string, check: () => Promise<unknown>) => {
      try {
        await check();
      } catch (error) {
        // Only "not this organization's" is the client's fault; a timeout or an aborted
        // transaction is not, and propagates as it is.
        if (!(error instanceof NotFoundError)) throw error;
        throw TaxErrors.invalid_reference(pointer);
      }
    };
    await owned('/jurisdictionId', () =>
      this.jurisdictions.find(manager, orgId, dto.jurisdictionId),
    );
    await owned('/taxCategoryId', () => this.categories.find(manager, orgId, dto.taxCategoryId));
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateTaxRateDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<TaxRateDto> {
    return this.db.run(orgId, async (manager) => {
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        fields: ['name', 'rate', 'validFrom', 'validTo'],
        write: async (before) => {
          assertRange(
            dto.validFrom ?? before.validFrom,
            dto.validTo !== undefined ? dto.validTo : before.validTo,
          );
          return toDto(
            await this.repository.update(manager, orgId, id, before.version, {
              name: dto.name ?? null,
              rate: dto.rate ?? null,
              validFrom: dto.validFrom ?? null,
              setValidTo: dto.validTo !== undefined,
              validTo: dto.validTo ?? null,
            }),
          );
        },
        entry: { organizationId: orgId, entityType: 'tax_rate', entityId: id, context },
      });
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
        remove: () => this.repository.delete(manager, orgId, id),
        entry: { organizationId: orgId, entityType: 'tax_rate', entityId: id, context },
        changes: (before) => ({
          rate: before.rate,
          validFrom: before.validFrom,
          validTo: before.validTo,
        }),
      });
    });
  }
}
