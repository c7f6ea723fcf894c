import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Conditions, iso, orderBy, selectPage } from '../../core/database';
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
import type {
  CreateTaxRateDto,
  TaxRateDto,
  TaxRateLookupDto,
  UpdateTaxRateDto,
} from './dto/tax.dto';
import { TaxCategoriesService } from './tax-categories.service';
import { TaxJurisdictionsService } from './tax-jurisdictions.service';
import { TaxErrors } from './tax.errors';

interface TaxRateRow {
  id: string;
  jurisdiction_id: string;
  tax_category_id: string;
  name: string;
  rate: string;
  valid_from: string;
  valid_to: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'validFrom' | 'rate' | 'name' | 'createdAt';
type Filter = 'jurisdictionId' | 'taxCategoryId' | 'activeOn';
export const TAX_RATE_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['validFrom', 'rate', 'name', 'createdAt'],
  defaultSort: '-validFrom',
  filters: { jurisdictionId: 'uuid', taxCategoryId: 'uuid', activeOn: 'date' },
};
// Qualified: the select list's `trim_scale(rate)::text AS rate` would otherwise be what
// `ORDER BY rate` sorts (as text: `10` before `7.5`).
const SORT_COLUMNS: Record<Sort, string> = {
  validFrom: 'tax_rates.valid_from',
  rate: 'tax_rates.rate',
  name: 'tax_rates.name',
  createdAt: 'tax_rates.created_at',
};
/** Dates as text (`pg` would turn a `date` into a local-time Date); rates without padding zeros. */
const COLUMNS = `id, jurisdiction_id, tax_category_id, name, trim_scale(rate)::text AS rate,
  valid_from::text AS valid_from, valid_to::text AS valid_to, created_at, updated_at, version`;
const IN_FORCE = `valid_from <= ?::date AND (valid_to IS NULL OR valid_to > ?::date)`;

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
  ) {}

  list(orgId: string, query: ListQuery<Sort, Filter>): Promise<Page<TaxRateDto>> {
    return this.db.run(orgId, async (manager) => {
      const { jurisdictionId, taxCategoryId, activeOn } = query.filters;
      const where = new Conditions()
        .add('organization_id = ?', orgId)
        .addIf(jurisdictionId, 'jurisdiction_id = ?')
        .addIf(taxCategoryId, 'tax_category_id = ?')
        .addIf(activeOn, IN_FORCE, activeOn, activeOn);
      const { rows, total } = await selectPage<TaxRateRow>(manager, {
        select: COLUMNS,
        from: 'tax_rates',
        where,
        order: orderBy(query.sort, SORT_COLUMNS),
        query,
      });
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<TaxRateDto> {
    const [row] = await manager.query<TaxRateRow[]>(
      `SELECT ${COLUMNS} FROM tax_rates WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
    if (!row) throw new NotFoundError('Tax rate');
    return toDto(row);
  }

  get(orgId: string, id: string): Promise<TaxRateDto> {
    return this.db.run(orgId, (manager) => this.find(manager, orgId, id));
  }

  /**
   * The rate in force on `date` for the jurisdiction and category; when the jurisdiction has none,
   * the nearest ancestor's (a city falls back to its state, then its country). 404 `no_tax_rate`.
   */
  lookup(orgId: string, query: TaxRateLookupDto): Promise<TaxRateDto> {
    return this.db.run(orgId, async (manager) => {
      const jurisdiction = await this.jurisdictions.find(manager, orgId, query.jurisdictionId);
      const ancestors = jurisdiction.path.split('/').filter(Boolean);
      const [row] = await manager.query<TaxRateRow[]>(
        `SELECT ${COLUMNS} FROM tax_rates r
          WHERE r.organization_id = $1 AND r.tax_category_id = $2 AND r.jurisdiction_id = ANY($3::uuid[])
            AND r.valid_from <= $4::date AND (r.valid_to IS NULL OR r.valid_to > $4::date)
          ORDER BY array_position($3::uuid[], r.jurisdiction_id) DESC LIMIT 1`,
        [orgId, query.taxCategoryId, ancestors, query.date],
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
      await manager.query(
        `INSERT INTO tax_rates (id, organization_id, jurisdiction_id, tax_category_id, name, rate, valid_from, valid_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          id,
          orgId,
          dto.jurisdictionId,
          dto.taxCategoryId,
          dto.name,
          dto.rate,
          dto.validFrom,
          dto.validTo ?? null,
        ],
      );
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
      const before = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, before.version);
      assertRange(
        dto.validFrom ?? before.validFrom,
        dto.validTo !== undefined ? dto.validTo : before.validTo,
      );
      return this.audit.recordVersionedUpdate(
        manager,
        before,
        ['name', 'rate', 'validFrom', 'validTo'],
        {
          table: 'tax_rates',
          set: `name = COALESCE($4, name), rate = COALESCE($5::numeric, rate),
            valid_from = COALESCE($6::date, valid_from),
            valid_to = CASE WHEN $7 THEN $8::date ELSE valid_to END`,
          values: [
            dto.name ?? null,
            dto.rate ?? null,
            dto.validFrom ?? null,
            dto.validTo !== undefined,
            dto.validTo ?? null,
          ],
          returning: COLUMNS,
          toDto,
        },
        { organizationId: orgId, entityType: 'tax_rate', entityId: id, context },
      );
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
      await manager.query('DELETE FROM tax_rates WHERE organization_id = $1 AND id = $2', [
        orgId,
        id,
      ]);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'tax_rate',
        entityId: id,
        changes: { rate: before.rate, validFrom: before.validFrom, validTo: before.validTo },
        context,
      });
    });
  }
}
