import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { iso } from '../../core/database';
import {
  assertVersionMatches,
  ExpectedVersion,
  NotFoundError,
  ValidationFailedError,
} from '../../core/http';
import { TargetRegistry } from '../../core/targets';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type { CreateStatusDto, StatusDto, UpdateStatusDto } from './dto/status.dto';
import type { StatusCategory } from './status.entity';
import { StatusUsage } from './status-usage';
import { StatusesErrors } from './statuses.errors';
import { StatusFields, StatusesRepository, StatusRow } from './statuses.repository';

/** The colour of a status created without one. */
const DEFAULT_COLOR = '#9e9e9e';

const toDto = (row: StatusRow): StatusDto => ({
  id: row.id,
  system: row.organization_id === null,
  entityType: row.entity_type,
  code: row.code,
  name: row.name,
  category: row.category as StatusCategory,
  color: row.color,
  position: row.position,
  isDefault: row.is_default,
  isActive: row.is_active,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

const EDITABLE: (keyof StatusDto)[] = [
  'name',
  'category',
  'color',
  'position',
  'isDefault',
  'isActive',
];

/**
 * The statuses registry (SPEC-P3 §1): the seeded system vocabulary, read-only to every tenant
 * (403 `system_status_read_only` on a write), and each organization's own statuses. Writes of one
 * organization are serialised (`lockOrganization`), so at most one default per (organization,
 * entity type) holds under concurrent requests — the last writer wins, the partial unique index
 * `uq_statuses_default` backs it — and a code is checked free for its entity type without a race.
 * Deleting a status some record uses → 409 `status_in_use` ({@link StatusUsage}). Every write is
 * audited (`status.created|updated|deleted`).
 */
@Injectable()
export class StatusesService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: StatusesRepository,
    private readonly audit: AuditService,
    private readonly targets: TargetRegistry,
    private readonly usage: StatusUsage,
  ) {}

  /**
   * System and own statuses in order (position, system first, code); with `entityType`, those
   * that apply to it (its own and those for every type). An unknown type → 422 `entityType`.
   */
  list(orgId: string, entityType?: string): Promise<StatusDto[]> {
    if (entityType !== undefined && !this.targets.has(entityType)) {
      throw new ValidationFailedError([
        { parameter: 'entityType', detail: `entityType ${entityType} is not a known entity type` },
      ]);
    }
    return this.db.read(orgId, async (manager) =>
      (await this.repository.list(manager, orgId, entityType)).map(toDto),
    );
  }

  /**
   * For modules whose records carry a status code (documents): the active codes that apply to
   * `entityType` in the organization (its own, and system and own ones for every type), and the
   * default to use when a record names none — the type's own default, else the default for every
   * type (an organization's before the system's `draft`), else null. In the caller's transaction.
   */
  async applicable(
    manager: EntityManager,
    orgId: string,
    entityType: string,
  ): Promise<{ codes: ReadonlySet<string>; defaultCode: string | null }> {
    const rows = (await this.repository.list(manager, orgId, entityType)).filter(
      (row) => row.is_active,
    );
    const defaults = rows
      .filter((row) => row.is_default)
      .sort(
        (a, b) =>
          Number(b.entity_type !== null) - Number(a.entity_type !== null) ||
          Number(b.organization_id !== null) - Number(a.organization_id !== null),
      );
    return { codes: new Set(rows.map((row) => row.code)), defaultCode: defaults[0]?.code ?? null };
  }

  /** One system or own status; 404 for another organization's or a missing one. */
  get(orgId: string, id: string): Promise<StatusDto> {
    return this.db.read(orgId, async (manager) => {
      const row = await this.repository.find(manager, orgId, id);
      if (!row) throw new NotFoundError('Status');
      return toDto(row);
    });
  }

  /**
   * Adds an organization status. 422 `unknown_entity_type`, `inactive_default`; 409 `code_taken`
   * when a visible status (system ones included) already has `code` for an overlapping type.
   */
  create(orgId: string, dto: CreateStatusDto, context: AuditContext): Promise<StatusDto> {
    const entityType = dto.entityType ?? null;
    if (entityType !== null && !this.targets.has(entityType)) {
      throw StatusesErrors.unknown_entity_type(entityType);
    }
    const isActive = dto.isActive ?? true;
    const isDefault = dto.isDefault ?? false;
    if (isDefault && !isActive) throw StatusesErrors.inactive_default();
    return this.db.run(orgId, async (manager) => {
      await this.repository.lockOrganization(manager, orgId);
      if (await this.repository.codeTaken(manager, orgId, entityType, dto.code)) {
        throw StatusesErrors.code_taken(dto.code);
      }
      if (isDefault) await this.clearDefault(manager, orgId, entityType, null, context);
      const fields: StatusFields = {
        name: dto.name,
        category: dto.category,
        color: dto.color ?? DEFAULT_COLOR,
        position: dto.position ?? (await this.repository.nextPosition(manager, orgId, entityType)),
        isDefault,
        isActive,
      };
      const id = uuidv7();
      const row = await this.repository.insert(manager, orgId, {
        id,
        entityType,
        code: dto.code,
        ...fields,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'status',
        entityId: id,
        changes: { entityType, code: dto.code, ...fields },
        context,
      });
      return toDto(row);
    });
  }

  /**
   * Changes an organization status (`If-Match` honoured, 412). A system status → 403
   * `system_status_read_only`; making it the default clears the previous default of its type.
   */
  update(
    orgId: string,
    id: string,
    dto: UpdateStatusDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<StatusDto> {
    return this.db.run(orgId, async (manager) => {
      await this.repository.lockOrganization(manager, orgId);
      const row = await this.own(manager, orgId, id);
      assertVersionMatches(expectedVersion, row.version);
      const before = toDto(row);
      const next: StatusFields = {
        name: dto.name ?? before.name,
        category: dto.category ?? before.category,
        color: dto.color ?? before.color,
        position: dto.position ?? before.position,
        isDefault: dto.isDefault ?? before.isDefault,
        isActive: dto.isActive ?? before.isActive,
      };
      if (next.isDefault && !next.isActive) throw StatusesErrors.inactive_default();
      if (next.isDefault && !before.isDefault) {
        await this.clearDefault(manager, orgId, row.entity_type, id, context);
      }
      // A PATCH that changes nothing is rolled back and not audited (AuditService.recordUpdate).
      return this.audit.recordUpdate(
        manager,
        before,
        EDITABLE,
        async () => toDto(await this.repository.update(manager, orgId, id, row.version, next)),
        {
          organizationId: orgId,
          action: 'update',
          entityType: 'status',
          entityId: id,
          context,
          extra: { code: row.code },
        },
      );
    });
  }

  /**
   * Deletes an organization status (`If-Match` honoured). 403 for a system status; 409
   * `status_in_use` while records of its entity type (every registered type when it applies to
   * all) carry its code: deactivate it instead.
   */
  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.own(manager, orgId, id);
      assertVersionMatches(expectedVersion, row.version);
      const usedBy = await this.usage.usedBy(manager, orgId, row.entity_type, row.code);
      if (usedBy.length > 0) throw StatusesErrors.status_in_use(row.code, usedBy);
      await this.repository.delete(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'status',
        entityId: id,
        changes: { entityType: row.entity_type, code: row.code, name: row.name },
        context,
      });
    });
  }

  /** The organization's own row, locked: 404 when invisible, 403 when it is a system row. */
  private async own(manager: EntityManager, orgId: string, id: string): Promise<StatusRow> {
    const visible = await this.repository.find(manager, orgId, id);
    if (!visible) throw new NotFoundError('Status');
    if (visible.organization_id === null)
      throw StatusesErrors.system_status_read_only(visible.code);
    const row = await this.repository.lockOwn(manager, orgId, id);
    if (!row) throw new NotFoundError('Status');
    return row;
  }

  /** Unsets the previous default of the type (audited as an update of that status). */
  private async clearDefault(
    manager: EntityManager,
    orgId: string,
    entityType: string | null,
    exceptId: string | null,
    context: AuditContext,
  ): Promise<void> {
    for (const cleared of await this.repository.clearDefault(
      manager,
      orgId,
      entityType,
      exceptId,
    )) {
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'update',
        entityType: 'status',
        entityId: cleared.id,
        changes: { code: cleared.code, isDefault: false },
        context,
        event: { changedFields: ['isDefault'] },
      });
    }
  }
}
