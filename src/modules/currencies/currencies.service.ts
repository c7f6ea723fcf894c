import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
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
import { LOCAL_CACHE_MAX_TTL_MS, LocalCache } from '../../core/cache';
import { afterCommit, TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type { CreateCurrencyDto, CurrencyDto, UpdateCurrencyDto } from './dto/currency.dto';
import {
  CurrenciesRepository,
  CurrencyFilter,
  CurrencyRow,
  CurrencySort,
} from './currencies.repository';

type Sort = CurrencySort;
type Filter = CurrencyFilter;
export const CURRENCY_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'currencies',
  sortable: ['code', 'name'],
  defaultSort: 'code',
  filters: { isActive: 'boolean', q: 'string' },
  fields: {
    code: { type: 'string', column: 'currencies.code' },
    name: { type: 'string', column: 'currencies.name' },
    minorUnits: { type: 'int', column: 'currencies.minor_units' },
    isActive: { type: 'boolean', column: 'currencies.is_active' },
  },
});

const toDto = (row: CurrencyRow): CurrencyDto => ({
  code: row.code,
  name: row.name,
  minorUnits: row.minor_units,
  isActive: row.is_active,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** The local-cache namespace of `isActive` answers. */
export const CURRENCIES_CACHE = 'currencies';

/**
 * ISO 4217 reference data shared by every tenant; only the platform (superusers) changes it.
 * Global rows belong to no organization, so every use case runs as
 * `runAsSystem('reference-data', …)`.
 */
@Injectable()
export class CurrenciesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: CurrenciesRepository,
    private readonly audit: AuditService,
    private readonly local: LocalCache,
  ) {}

  list(query: ListQuery<Sort, Filter>): Promise<Page<CurrencyDto>> {
    return this.db.runAsSystem('reference-data', async (manager) => {
      const { rows, total } = await this.repository.list(manager, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, code: string): Promise<CurrencyRow> {
    const row = await this.repository.findByCode(manager, code);
    if (!row) throw new NotFoundError('Currency');
    return row;
  }

  get(code: string): Promise<CurrencyDto> {
    return this.db.runAsSystem('reference-data', async (manager) =>
      toDto(await this.find(manager, code)),
    );
  }

  /**
   * Whether `code` is a known, active currency (for products and organizations). With `manager`
   * (the caller's transaction, tenant or system) it reads there; without, in its own system
   * transaction.
   */
  isActive(code: string, manager?: EntityManager): Promise<boolean> {
    // In this process's memory between changes (`CURRENCIES_CACHE`, cleared on every instance after
    // each write below): a product write checks its currency with no round trip (issue 21).
    return this.local.getOrLoad(CURRENCIES_CACHE, code, LOCAL_CACHE_MAX_TTL_MS, () =>
      manager
        ? this.repository.isActive(manager, code)
        : this.db.runAsSystem('reference-data', (m) => this.repository.isActive(m, code)),
    );
  }

  /** A write of this reference data; the cached answers of `isActive` are dropped once it committed. */
  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.runAsSystem('reference-data', (manager) => {
      afterCommit(manager, () => void this.local.invalidate(CURRENCIES_CACHE));
      return work(manager);
    });
  }

  create(dto: CreateCurrencyDto, context: AuditContext): Promise<CurrencyDto> {
    return this.write(async (manager) => {
      await this.repository.insert(manager, {
        code: dto.code,
        name: dto.name,
        minorUnits: dto.minorUnits ?? null,
        isActive: dto.isActive ?? true,
      });
      const created = toDto(await this.find(manager, dto.code));
      await this.audit.record(manager, {
        organizationId: null,
        action: 'create',
        entityType: 'currency',
        entityId: null,
        changes: { code: dto.code, name: dto.name, minorUnits: created.minorUnits },
        context,
      });
      return created;
    });
  }

  update(
    code: string,
    dto: UpdateCurrencyDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<CurrencyDto> {
    return this.write(async (manager) => {
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: async () => toDto(await this.find(manager, code)),
        fields: ['name', 'minorUnits', 'isActive'],
        write: async (before) =>
          toDto(
            await this.repository.update(manager, code, before.version, {
              name: dto.name ?? null,
              setMinorUnits: dto.minorUnits !== undefined,
              minorUnits: dto.minorUnits ?? null,
              isActive: dto.isActive ?? null,
            }),
          ),
        entry: {
          organizationId: null,
          entityType: 'currency',
          entityId: null,
          extra: { code },
          context,
        },
      });
    });
  }

  delete(code: string, expectedVersion: ExpectedVersion, context: AuditContext): Promise<void> {
    return this.write(async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, code),
        // A currency still used by a product is kept by its foreign key (409).
        remove: () => this.repository.delete(manager, code),
        entry: { organizationId: null, entityType: 'currency', entityId: null, context },
        changes: (before) => ({ code, name: before.name }),
      });
    });
  }
}
