import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditContext } from '../../core/auth';
import { Conditions, contains, iso, orderBy, returningRows, selectPage } from '../../core/database';
import {
  assertVersionMatches,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  PreconditionFailedError,
  toPage,
} from '../../core/http';
import { AuditService } from '../audit';
import type {
  ConversionDto,
  ConvertQueryDto,
  CreateUnitOfMeasureDto,
  UnitOfMeasureDto,
  UpdateUnitOfMeasureDto,
} from './dto/unit-of-measure.dto';
import { UNIT_TYPES, UnitType } from './unit-of-measure.entity';
import { foldedContains } from '../../core/database/folded-text';
import { UnitsOfMeasureErrors } from './units-of-measure.errors';

interface UnitRow {
  code: string;
  name: string;
  type: UnitType;
  factor: string;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'code' | 'name' | 'type';
type Filter = 'type' | 'isActive' | 'q';
export const UNIT_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['code', 'name', 'type'],
  defaultSort: 'type,code',
  filters: { type: { enum: UNIT_TYPES }, isActive: 'boolean', q: 'string' },
};
const SORT_COLUMNS: Record<Sort, string> = { code: 'code', name: 'name', type: 'type' };
const COLUMNS = `code, name, type, trim_scale(factor)::text AS factor, is_active, created_at, updated_at, version`;
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

/** Units of measure (global reference data) and exact conversion between units of one type. */
@Injectable()
export class UnitsOfMeasureService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListQuery<Sort, Filter>): Promise<Page<UnitOfMeasureDto>> {
    const { type, isActive, q } = query.filters;
    const where = new Conditions()
      .addIf(type, 'type = ?')
      .addIf(isActive, 'is_active = ?')
      .addIf(q, `(code ILIKE ? OR ${foldedContains('name')})`, contains(q), q);
    const { rows, total } = await selectPage<UnitRow>(this.dataSource.manager, {
      select: COLUMNS,
      from: 'units_of_measure',
      where,
      order: orderBy(query.sort, SORT_COLUMNS, 'code ASC'),
      query,
    });
    return toPage(rows.map(toDto), total, query);
  }

  private async find(code: string, manager: EntityManager = this.dataSource.manager) {
    const [row] = await manager.query<UnitRow[]>(
      `SELECT ${COLUMNS} FROM units_of_measure WHERE code = $1`,
      [code],
    );
    if (!row) throw new NotFoundError('Unit of measure');
    return row;
  }

  async get(code: string): Promise<UnitOfMeasureDto> {
    return toDto(await this.find(code));
  }

  /** Whether `code` is an active unit (for products). */
  async isActive(code: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM units_of_measure WHERE code = $1 AND is_active',
      [code],
    );
    return rows.length > 0;
  }

  /**
   * `quantity × factor(from) ÷ factor(to)` in PostgreSQL `numeric` (exact decimal arithmetic, no
   * binary floats); refuses units of different types (422 `incompatible_units`).
   */
  async convert(query: ConvertQueryDto): Promise<ConversionDto> {
    const [from, to] = await Promise.all([this.find(query.from), this.find(query.to)]);
    if (from.type !== to.type) {
      throw UnitsOfMeasureErrors.incompatible_units(from, to);
    }
    const [{ result }] = await this.dataSource.query<{ result: string }[]>(
      `SELECT trim_scale(round($1::numeric * $2::numeric / $3::numeric, ${CONVERSION_SCALE}))::text AS result`,
      [query.quantity, from.factor, to.factor],
    );
    return { from: from.code, to: to.code, quantity: query.quantity, result };
  }

  async create(dto: CreateUnitOfMeasureDto, context: AuditContext): Promise<UnitOfMeasureDto> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        'INSERT INTO units_of_measure (code, name, type, factor, is_active) VALUES ($1, $2, $3, $4, $5)',
        [dto.code, dto.name, dto.type, dto.factor, dto.isActive ?? true],
      );
      const created = toDto(await this.find(dto.code, manager));
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

  async update(
    code: string,
    dto: UpdateUnitOfMeasureDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<UnitOfMeasureDto> {
    return this.dataSource.transaction(async (manager) => {
      const before = toDto(await this.find(code, manager));
      assertVersionMatches(expectedVersion, before.version);
      return this.audit.recordUpdate(
        manager,
        before,
        ['name', 'factor', 'isActive'],
        async () => {
          const rows = await returningRows<UnitRow>(
            manager,
            `UPDATE units_of_measure SET name = COALESCE($3, name), factor = COALESCE($4::numeric, factor),
                is_active = COALESCE($5, is_active), version = version + 1, updated_at = now()
          WHERE code = $1 AND version = $2 RETURNING ${COLUMNS}`,
            [code, before.version, dto.name ?? null, dto.factor ?? null, dto.isActive ?? null],
          );
          if (rows.length !== 1) throw new PreconditionFailedError();
          return toDto(rows[0]);
        },
        {
          organizationId: null,
          action: 'update',
          entityType: 'unit_of_measure',
          extra: { code },
          context,
        },
      );
    });
  }

  async delete(
    code: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const before = await this.find(code, manager);
      assertVersionMatches(expectedVersion, before.version);
      await manager.query('DELETE FROM units_of_measure WHERE code = $1', [code]);
      await this.audit.record(manager, {
        organizationId: null,
        action: 'delete',
        entityType: 'unit_of_measure',
        changes: { code, type: before.type, factor: before.factor },
        context,
      });
    });
  }
}
