import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditContext } from '../../core/auth';
import { AppConfig } from '../../core/config';
import { iso, returningRows } from '../../core/database';
import {
  assertVersionMatches,
  ExpectedVersion,
  NotFoundError,
  PreconditionFailedError,
} from '../../core/http';
import { RedisService } from '../../core/redis';
import { AuditService } from '../audit';
import type {
  CreateFeatureFlagDto,
  FeatureFlagDto,
  UpdateFeatureFlagDto,
} from './dto/feature-flag.dto';
import { FlagDefinition, FlagRules, FlagSubject, isOn } from './flag-rules';

interface FlagRow {
  key: string;
  description: string;
  enabled: boolean;
  rules: FlagRules;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const COLUMNS = 'key, description, enabled, rules, created_at, updated_at, version';
/** Flag definitions cached in Redis DB `REDIS_FLAGS_DB` for 60 s; writes drop the cache. */
const CACHE_KEY = 'erp:flags:definitions';
const CACHE_TTL_SECONDS = 60;

const toDto = (row: FlagRow): FeatureFlagDto => ({
  key: row.key,
  description: row.description,
  enabled: row.enabled,
  rules: row.rules,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** Feature flags: superuser CRUD, and evaluation for any caller (cached, database fallback). */
@Injectable()
export class FeatureFlagsService {
  private readonly logger = new Logger(FeatureFlagsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  private get cache() {
    return this.redis.client('flags');
  }

  /** Every definition: from Redis when it answers, else from PostgreSQL (never failing on Redis). */
  async definitions(): Promise<FlagDefinition[]> {
    try {
      const cached = await this.cache.get(CACHE_KEY);
      if (cached) return JSON.parse(cached) as FlagDefinition[];
    } catch (error) {
      this.logger.debug(`flag cache unavailable: ${(error as Error).message}`);
    }
    const rows = await this.dataSource.query<FlagDefinition[]>(
      'SELECT key, enabled, rules FROM feature_flags',
    );
    try {
      await this.cache.set(CACHE_KEY, JSON.stringify(rows), 'EX', CACHE_TTL_SECONDS);
    } catch {
      // Redis down: still correct, just uncached.
    }
    return rows;
  }

  async evaluate(subject: Omit<FlagSubject, 'environment'>): Promise<Record<string, boolean>> {
    const environment = this.config.app.environment;
    return Object.fromEntries(
      (await this.definitions()).map((flag) => [flag.key, isOn(flag, { ...subject, environment })]),
    );
  }

  async isOn(key: string, subject: Omit<FlagSubject, 'environment'>): Promise<boolean> {
    const flag = (await this.definitions()).find((f) => f.key === key);
    return flag ? isOn(flag, { ...subject, environment: this.config.app.environment }) : false;
  }

  private async dropCache(): Promise<void> {
    try {
      await this.cache.del(CACHE_KEY);
    } catch (error) {
      this.logger.warn(
        `flag cache not dropped (expires within ${CACHE_TTL_SECONDS} s): ${(error as Error).message}`,
      );
    }
  }

  async list(): Promise<FeatureFlagDto[]> {
    return (
      await this.dataSource.query<FlagRow[]>(`SELECT ${COLUMNS} FROM feature_flags ORDER BY key`)
    ).map(toDto);
  }

  private async find(
    key: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<FeatureFlagDto> {
    const [row] = await manager.query<FlagRow[]>(
      `SELECT ${COLUMNS} FROM feature_flags WHERE key = $1`,
      [key],
    );
    if (!row) throw new NotFoundError('Feature flag');
    return toDto(row);
  }

  get(key: string): Promise<FeatureFlagDto> {
    return this.find(key);
  }

  async create(dto: CreateFeatureFlagDto, context: AuditContext): Promise<FeatureFlagDto> {
    const created = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        'INSERT INTO feature_flags (key, description, enabled, rules) VALUES ($1, $2, $3, $4)',
        [dto.key, dto.description ?? '', dto.enabled ?? false, dto.rules ?? {}],
      );
      const flag = await this.find(dto.key, manager);
      await this.audit.record(manager, {
        organizationId: null,
        action: 'create',
        entityType: 'feature_flag',
        changes: { code: flag.key, enabled: flag.enabled, rules: flag.rules },
        context,
      });
      return flag;
    });
    await this.dropCache();
    return created;
  }

  async update(
    key: string,
    dto: UpdateFeatureFlagDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<FeatureFlagDto> {
    const updated = await this.dataSource.transaction(async (manager) => {
      const before = await this.find(key, manager);
      assertVersionMatches(expectedVersion, before.version);
      return this.audit.recordUpdate(
        manager,
        before,
        ['description', 'enabled', 'rules'],
        async () => {
          const rows = await returningRows<FlagRow>(
            manager,
            `UPDATE feature_flags SET description = COALESCE($3, description), enabled = COALESCE($4, enabled),
                rules = COALESCE($5, rules), version = version + 1, updated_at = now()
          WHERE key = $1 AND version = $2 RETURNING ${COLUMNS}`,
            [key, before.version, dto.description ?? null, dto.enabled ?? null, dto.rules ?? null],
          );
          if (rows.length !== 1) throw new PreconditionFailedError();
          return toDto(rows[0]);
        },
        {
          organizationId: null,
          action: 'update',
          entityType: 'feature_flag',
          extra: { code: key },
          context,
        },
      );
    });
    await this.dropCache();
    return updated;
  }

  async delete(
    key: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const before = await this.find(key, manager);
      assertVersionMatches(expectedVersion, before.version);
      await manager.query('DELETE FROM feature_flags WHERE key = $1', [key]);
      await this.audit.record(manager, {
        organizationId: null,
        action: 'delete',
        entityType: 'feature_flag',
        changes: { code: key },
        context,
      });
    });
    await this.dropCache();
  }
}
