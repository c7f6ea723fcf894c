import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AuditContext } from '../../core/auth';
import { AppConfig } from '../../core/config';
import { iso } from '../../core/database';
import { ExpectedVersion, NotFoundError } from '../../core/http';
import { RedisService } from '../../core/redis';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type {
  CreateFeatureFlagDto,
  FeatureFlagDto,
  UpdateFeatureFlagDto,
} from './dto/feature-flag.dto';
import { FeatureFlagsRepository, FlagRow } from './feature-flags.repository';
import { FlagDefinition, FlagSubject, isOn } from './flag-rules';

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

/**
 * Feature flags: superuser CRUD, and evaluation for any caller (cached, database fallback). Flags
 * are global rows, so every database use runs as `runAsSystem('reference-data', …)`.
 */
@Injectable()
export class FeatureFlagsService {
  private readonly logger = new Logger(FeatureFlagsService.name);

  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: FeatureFlagsRepository,
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
    const rows = await this.db.runAsSystem('reference-data', (manager) =>
      this.repository.definitions(manager),
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
    const rows = await this.db.runAsSystem('reference-data', (manager) =>
      this.repository.list(manager),
    );
    return rows.map(toDto);
  }

  private async find(manager: EntityManager, key: string): Promise<FeatureFlagDto> {
    const row = await this.repository.findByKey(manager, key);
    if (!row) throw new NotFoundError('Feature flag');
    return toDto(row);
  }

  get(key: string): Promise<FeatureFlagDto> {
    return this.db.runAsSystem('reference-data', (manager) => this.find(manager, key));
  }

  async create(dto: CreateFeatureFlagDto, context: AuditContext): Promise<FeatureFlagDto> {
    const created = await this.db.runAsSystem('reference-data', async (manager) => {
      await this.repository.insert(manager, {
        key: dto.key,
        description: dto.description ?? '',
        enabled: dto.enabled ?? false,
        rules: dto.rules ?? {},
      });
      const flag = await this.find(manager, dto.key);
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
    const updated = await this.db.runAsSystem('reference-data', async (manager) => {
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: () => this.find(manager, key),
        fields: ['description', 'enabled', 'rules'],
        write: async (before) =>
          toDto(
            await this.repository.update(manager, key, before.version, {
              description: dto.description ?? null,
              enabled: dto.enabled ?? null,
              rules: dto.rules ?? null,
            }),
          ),
        entry: {
          organizationId: null,
          entityType: 'feature_flag',
          extra: { code: key },
          context,
        },
      });
    });
    await this.dropCache();
    return updated;
  }

  async delete(
    key: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    await this.db.runAsSystem('reference-data', async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, key),
        remove: () => this.repository.delete(manager, key),
        entry: { organizationId: null, entityType: 'feature_flag', context },
        changes: () => ({ code: key }),
      });
    });
    await this.dropCache();
  }
}
