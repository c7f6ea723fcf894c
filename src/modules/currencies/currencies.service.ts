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
import type { CreateCurrencyDto, CurrencyDto, UpdateCurrencyDto } from './dto/currency.dto';
import { foldedContains } from '../../core/database/folded-text';

interface CurrencyRow {
  code: string;
  name: string;
  minor_units: number | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

type Sort = 'code' | 'name';
type Filter = 'isActive' | 'q';
export const CURRENCY_LIST: ListDefinition<Sort, Filter> = {
  sortable: ['code', 'name'],
  defaultSort: 'code',
  filters: { isActive: 'boolean', q: 'string' },
};
const SORT_COLUMNS: Record<Sort, string> = { code: 'code', name: 'name' };
const COLUMNS = 'code, name, minor_units, is_active, created_at, updated_at, version';

const toDto = (row: CurrencyRow): CurrencyDto => ({
  code: row.code,
  name: row.name,
  minorUnits: row.minor_units,
  isActive: row.is_active,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** ISO 4217 reference data shared by every tenant; only the platform (superusers) changes it. */
@Injectable()
export class CurrenciesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListQuery<Sort, Filter>): Promise<Page<CurrencyDto>> {
    const where = new Conditions()
      .addIf(query.filters.isActive, 'is_active = ?')
      .addIf(
        query.filters.q,
        `(code ILIKE ? OR ${foldedContains('name')})`,
        contains(query.filters.q),
        query.filters.q,
      );
    const { rows, total } = await selectPage<CurrencyRow>(this.dataSource.manager, {
      select: COLUMNS,
      from: 'currencies',
      where,
      order: orderBy(query.sort, SORT_COLUMNS, 'code ASC'),
      query,
    });
    return toPage(rows.map(toDto), total, query);
  }

  private async find(code: string, manager: EntityManager = this.dataSource.manager) {
    const [row] = await manager.query<CurrencyRow[]>(
      `SELECT ${COLUMNS} FROM currencies WHERE code = $1`,
      [code],
    );
    if (!row) throw new NotFoundError('Currency');
    return row;
  }

  async get(code: string): Promise<CurrencyDto> {
    return toDto(await this.find(code));
  }

  /** Whether `code` is a known, active currency (for products and organizations). */
  async isActive(code: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM currencies WHERE code = $1 AND is_active',
      [code],
    );
    return rows.length > 0;
  }

  async create(dto: CreateCurrencyDto, context: AuditContext): Promise<CurrencyDto> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        'INSERT INTO currencies (code, name, minor_units, is_active) VALUES ($1, $2, $3, $4)',
        [dto.code, dto.name, dto.minorUnits ?? null, dto.isActive ?? true],
      );
      const created = toDto(await this.find(dto.code, manager));
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

  async update(
    code: string,
    dto: UpdateCurrencyDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<CurrencyDto> {
    return this.dataSource.transaction(async (manager) => {
      const before = toDto(await this.find(code, manager));
      assertVersionMatches(expectedVersion, before.version);
      return this.audit.recordUpdate(
        manager,
        before,
        ['name', 'minorUnits', 'isActive'],
        async () => {
          const rows = await returningRows<CurrencyRow>(
            manager,
            `UPDATE currencies SET name = COALESCE($3, name),
                minor_units = CASE WHEN $4 THEN $5::smallint ELSE minor_units END,
                is_active = COALESCE($6, is_active), version = version + 1, updated_at = now()
          WHERE code = $1 AND version = $2 RETURNING ${COLUMNS}`,
            [
              code,
              before.version,
              dto.name ?? null,
              dto.minorUnits !== undefined,
              dto.minorUnits ?? null,
              dto.isActive ?? null,
            ],
          );
          if (rows.length !== 1) throw new PreconditionFailedError();
          return toDto(rows[0]);
        },
        {
          organizationId: null,
          action: 'update',
          entityType: 'currency',
          entityId: null,
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
      // A currency still used by a product is kept by its foreign key (409).
      await manager.query('DELETE FROM currencies WHERE code = $1', [code]);
      await this.audit.record(manager, {
        organizationId: null,
        action: 'delete',
        entityType: 'currency',
        entityId: null,
        changes: { code, name: before.name },
        context,
      });
    });
  }
}
