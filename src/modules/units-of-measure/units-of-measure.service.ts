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
import type {
  ConversionDto,
  ConvertQueryDto,
  CreateUnitOfMeasureDto,
  UnitOfMeasureDto,
  UpdateUnitOfMeasureDto,
} from './dto/unit-of-measure.dto';
import { UNIT_TYPES } from './unit-of-measure.entity';
import {
  UnitFilter,
  UnitRow,
  UnitSort,
  UnitsOfMeasureRepository,
} from './units-of-measure.repository';
import { UnitsOfMeasureErrors } from './units-of-measure.errors';

type Sort = UnitSort;
type Filter = UnitFilter;
export const UNIT_LIST: ListDefinition<Sort, Filter> = defineList({
  resource: 'units-of-measure',
  sortable: ['code', 'name', 'type'],
  defaultSort: 'type,code',
  filters: { type: { enum: UNIT_TYPES }, isActive: 'boolean', q: 'string' },
  fields: {
    code: { type: 'string', column: 'units_of_measure.code' },
    name: { type: 'string', column: 'units_of_measure.name' },
    type: { type: { enum: UNIT_TYPES }, column: 'units_of_measure.type' },
    factor: { type: 'decimal', column: 'units_of_measure.factor' },
    isActive: { type: 'boolean', column: 'units_of_measure.is_active' },
    createdAt: { type: 'datetime', column: 'units_of_measure.created_at' },
  },
});
/** Decimal places kept when a conversion quotient does not terminate. */
const CONVERSION_SCALE = 12;

const toDto = (row: UnitRow): UnitOfMeasureDto => ({
  code: row.code,
  name: row.name,
  type: row.type,
  factor: row.factor,
  isActive: row.is_active,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** The local-cache namespace of `isActive` answers. */
export const UNITS_CACHE = 'units-of-measure';

/**
 * Units of measure (global reference data) and exact conversion between units of one type. Global
 * rows belong to no organization, so every use case runs as `runAsSystem('reference-data', …)`.
 */
@Injectable()
export class UnitsOfMeasureService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: UnitsOfMeasureRepository,
    private readonly audit: AuditService,
    private readonly local: LocalCache,
  ) {}

  list(query: ListQuery<Sort, Filter>): Promise<Page<UnitOfMeasureDto>> {
    return this.db.runAsSystem('reference-data', async (manager) => {
      const { rows, total } = await this.repository.list(manager, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, code: string): Promise<UnitRow> {
    const row = await this.repository.findByCode(manager, code);
    if (!row) throw new NotFoundError('Unit of measure');
    return row;
  }

  get(code: string): Promise<UnitOfMeasureDto> {
    return this.db.runAsSystem('reference-data', async (manager) =>
      toDto(await this.find(manager, code)),
    );
  }

  /**
   * Whether `code` is an active unit (for products). With `manager` (the caller's transaction,
   * tenant or system) it reads there; without, in its own system transaction.
   */
  isActive(code: string, manager?: EntityManager): Promise<boolean> {
    // In this process's memory between changes (`UNITS_CACHE`, cleared on every instance after
    // each write below): a product write checks its unit with no round trip (issue 21).
    return this.local.getOrLoad(UNITS_CACHE, code, LOCAL_CACHE_MAX_TTL_MS, () =>
      manager
        ? this.repository.isActive(manager, code)
        : this.db.runAsSystem('reference-data', (m) => this.repository.isActive(m, code)),
    );
  }

  /** A write of this reference data; the cached answers of `isActive` are dropped once it committed. */
  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.runAsSystem('reference-data', (manager) => {
      afterCommit(manager, () => void this.local.invalidate(UNITS_CACHE));
      return work(manager);
    });
  }

  /**
   * `quantity × factor(from) ÷ factor(to)` in PostgreSQL `numeric` (exact decimal arithmetic, no
   * binary floats); refuses units of different types (422 `incompatible_units`); 404 for an
   * unknown unit.
   */
  convert(query: ConvertQueryDto): Promise<ConversionDto> {
    return this.db.runAsSystem('reference-data', async (manager) => {
      const from = await this.find(manager, query.from);
      const to = await this.find(manager, query.to);
      if (from.type !== to.type) {
        throw UnitsOfMeasureErrors.incompatible_units(from, to);
      }
      const result = await this.repository.convert(
        manager,
        query.quantity,
        from.factor,
        to.factor,
        CONVERSION_SCALE,
      );
      return { from: from.code, to: to.code, quantity: query.quantity, result };
    });
  }

  create(dto: CreateUnitOfMeasureDto, context: AuditContext): Promise<UnitOfMeasureDto> {
    return this.write(async (manager) => {
      await this.repository.insert(manager, {
        code: dto.code,
        name: dto.name,
        type: dto.type,
        factor: dto.factor,
        isActive: dto.isActive ?? true,
      });
      const created = toDto(await this.find(manager, dto.code));
      await this.audit.record(manager, {
        organizationId: null,
        action: 'create',
        entityType: 'unit_of_measure',
        changes: { code: created.code, type: created.type, factor: created.factor },
        context,
      });
      return created;
    });
  }

  update(
    code: string,
    dto: UpdateUnitOfMeasureDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<UnitOfMeasureDto> {
    return this.write(async (manager) => {
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: async () => toDto(await this.find(manager, code)),
        fields: ['name', 'factor', 'isActive'],
        write: async (before) =>
          toDto(
            await this.repository.update(manager, code, before.version, {
              name: dto.name ?? null,
              factor: dto.factor ?? null,
              isActive: dto.isActive ?? null,
            }),
          ),
        entry: { organizationId: null, entityType: 'unit_of_measure', extra: { code }, context },
      });
    });
  }

  delete(code: string, expectedVersion: ExpectedVersion, context: AuditContext): Promise<void> {
    return this.write(async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, code),
        remove: () => this.repository.delete(manager, code),
        entry: { organizationId: null, entityType: 'unit_of_measure', context },
        changes: (before) => ({ code, type: before.type, factor: before.factor }),
      });
    });
  }
}
