import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import {
  assertVersionMatches,
  ListQuery,
  NotFoundError,
  Page,
  PreconditionFailedError,
  toPage,
} from '../../core/http';
import { AccessService } from '../access';
import { AuditService, diffFields } from '../audit';
import type {
  CreateOrganizationDto,
  OrganizationDto,
  UpdateOrganizationDto,
} from './dto/organization.dto';
import {
  OrganizationFilter,
  OrganizationRow,
  OrganizationSort,
  OrganizationsRepository,
} from './organizations.repository';
import { OrganizationsErrors } from './organizations.errors';

const toDto = (row: OrganizationRow): OrganizationDto => ({
  id: row.id,
  code: row.code,
  name: row.name,
  typeCode: row.type_code,
  parentId: row.parent_id,
  path: row.path,
  depth: row.depth,
  status: row.status,
  currencyCode: row.currency_code,
  timezone: row.timezone,
  language: row.language,
  archivedAt: row.archived_at ? new Date(row.archived_at).toISOString() : null,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
  version: row.version,
});

const AUDITED: (keyof OrganizationDto)[] = [
  'code',
  'name',
  'typeCode',
  'currencyCode',
  'timezone',
  'language',
  'status',
  'parentId',
  'path',
];

/**
 * The organization tree, as seen from the caller's active organization: it and its descendants.
 * Anything outside that subtree does not exist for the caller (404).
 */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly repository: OrganizationsRepository,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  private async scope(activeOrganizationId: string): Promise<OrganizationRow> {
    const active = await this.repository.findById(activeOrganizationId);
    if (!active) throw new NotFoundError('Organization');
    return active;
  }

  private async inScope(
    activeOrganizationId: string,
    id: string,
  ): Promise<{ scope: OrganizationRow; row: OrganizationRow }> {
    const scope = await this.scope(activeOrganizationId);
    const row = await this.repository.findInScope(scope.path, id);
    if (!row) throw new NotFoundError('Organization');
    return { scope, row };
  }

  async list(
    activeOrganizationId: string,
    query: ListQuery<OrganizationSort, OrganizationFilter>,
  ): Promise<Page<OrganizationDto>> {
    const scope = await this.scope(activeOrganizationId);
    const { rows, total } = await this.repository.list(scope.path, query);
    return toPage(rows.map(toDto), total, query);
  }

  /**
   * A new root organization (a tenant of its own; `POST /tenants`, superusers only) inside the
   * caller's transaction. 422 `unknown_organization_type`; a taken code is 409 naming `code`.
   * Audited in the new organization's own chain.
   */
  async createRootInTransaction(
    manager: EntityManager,
    dto: Omit<CreateOrganizationDto, 'parentId'>,
    context: AuditContext,
  ): Promise<OrganizationDto> {
    if (!(await this.repository.typeExists(dto.typeCode))) {
      throw OrganizationsErrors.unknown_organization_type(dto.typeCode);
    }
    const id = uuidv7();
    await this.repository.insert(manager, {
      id,
      code: dto.code,
      name: dto.name,
      type_code: dto.typeCode,
      parent_id: null,
      path: `/${id}/`,
      depth: 0,
      currency_code: dto.currencyCode ?? 'USD',
      timezone: dto.timezone ?? 'UTC',
      language: dto.language ?? null,
    });
    await this.audit.record(manager, {
      organizationId: id,
      action: 'create',
      entityType: 'organization',
      entityId: id,
      changes: { code: dto.code, name: dto.name, typeCode: dto.typeCode, parentId: null },
      context,
    });
    return toDto((await this.repository.findById(id, manager)) as OrganizationRow);
  }

  async get(activeOrganizationId: string, id: string): Promise<OrganizationDto> {
    return toDto((await this.inScope(activeOrganizationId, id)).row);
  }

  async create(
    activeOrganizationId: string,
    dto: CreateOrganizationDto,
    context: AuditContext,
  ): Promise<OrganizationDto> {
    const scope = await this.scope(activeOrganizationId);
    const parent = dto.parentId
      ? await this.repository.findInScope(scope.path, dto.parentId)
      : scope;
    if (!parent) throw OrganizationsErrors.invalid_parent();
    if (parent.status === 'archived') {
      throw OrganizationsErrors.parent_archived();
    }
    if (!(await this.repository.typeExists(dto.typeCode))) {
      throw OrganizationsErrors.unknown_organization_type(dto.typeCode);
    }
    const id = uuidv7();
    await this.dataSource.transaction(async (manager) => {
      await this.repository.insert(manager, {
        id,
        code: dto.code,
        name: dto.name,
        type_code: dto.typeCode,
        parent_id: parent.id,
        path: `${parent.path}${id}/`,
        depth: parent.depth + 1,
        currency_code: dto.currencyCode ?? 'USD',
        timezone: dto.timezone ?? 'UTC',
        language: dto.language ?? null,
      });
      await this.audit.record(manager, {
        organizationId: activeOrganizationId,
        action: 'create',
        entityType: 'organization',
        entityId: id,
        changes: { code: dto.code, name: dto.name, typeCode: dto.typeCode, parentId: parent.id },
        context,
      });
    });
    return this.get(activeOrganizationId, id);
  }

  async update(
    activeOrganizationId: string,
    id: string,
    dto: UpdateOrganizationDto,
    expectedVersion: number | '*' | undefined,
    context: AuditContext,
  ): Promise<OrganizationDto> {
    const { row } = await this.inScope(activeOrganizationId, id);
    assertVersionMatches(expectedVersion, row.version);
    if (dto.typeCode !== undefined && !(await this.repository.typeExists(dto.typeCode))) {
      throw OrganizationsErrors.unknown_organization_type(dto.typeCode);
    }
    return this.write(activeOrganizationId, row, 'update', context, {
      code: dto.code,
      name: dto.name,
      type_code: dto.typeCode,
      currency_code: dto.currencyCode,
      timezone: dto.timezone,
      language: dto.language,
    });
  }

  async archive(
    activeOrganizationId: string,
    id: string,
    context: AuditContext,
  ): Promise<OrganizationDto> {
    if (id === activeOrganizationId) {
      throw OrganizationsErrors.cannot_archive_active_organization();
    }
    const { row } = await this.inScope(activeOrganizationId, id);
    if (row.status === 'archived') return toDto(row);
    return this.write(activeOrganizationId, row, 'archive', context, {
      status: 'archived',
      archived_at: new Date(),
    });
  }

  async restore(
    activeOrganizationId: string,
    id: string,
    context: AuditContext,
  ): Promise<OrganizationDto> {
    const { row } = await this.inScope(activeOrganizationId, id);
    if (row.status === 'active') return toDto(row);
    return this.write(activeOrganizationId, row, 'restore', context, {
      status: 'active',
      archived_at: null,
    });
  }

  private async write(
    activeOrganizationId: string,
    row: OrganizationRow,
    action: string,
    context: AuditContext,
    changes: Parameters<OrganizationsRepository['update']>[3],
  ): Promise<OrganizationDto> {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (Object.keys(defined).length === 0) return toDto(row);
    const result = await this.dataSource.transaction(async (manager) => {
      const updated = await this.repository.update(manager, row.id, row.version, defined);
      if (!updated) throw new PreconditionFailedError();
      await this.audit.record(manager, {
        organizationId: activeOrganizationId,
        action,
        entityType: 'organization',
        entityId: row.id,
        changes: diffFields(toDto(row), toDto(updated), AUDITED),
        context,
      });
      return toDto(updated);
    });
    // The organization's language is cached with its members' access.
    if ('language' in defined) await this.access.invalidate();
    return result;
  }

  async move(
    activeOrganizationId: string,
    id: string,
    parentId: string,
    context: AuditContext,
  ): Promise<OrganizationDto> {
    if (id === activeOrganizationId) {
      throw OrganizationsErrors.cannot_move_active_organization();
    }
    const { scope, row } = await this.inScope(activeOrganizationId, id);
    const parent = await this.repository.findInScope(scope.path, parentId);
    if (!parent) throw OrganizationsErrors.invalid_parent();
    if (parent.path.startsWith(row.path)) {
      throw OrganizationsErrors.cycle_detected('/parentId');
    }
    return this.dataSource.transaction(async (manager) => {
      // Lock the subtree and the new parent, so concurrent moves cannot interleave into a cycle.
      await manager.query(
        `SELECT id FROM organizations WHERE path LIKE $1 OR id = $2 ORDER BY id FOR UPDATE`,
        [`${row.path}%`, parent.id],
      );
      const [current, currentParent] = [
        await this.repository.findById(row.id, manager),
        await this.repository.findById(parent.id, manager),
      ];
      if (!current || !currentParent || currentParent.path.startsWith(current.path)) {
        throw OrganizationsErrors.cycle_detected();
      }
      await this.repository.moveSubtree(manager, current, currentParent);
      const moved = (await this.repository.findById(row.id, manager)) as OrganizationRow;
      await this.audit.record(manager, {
        organizationId: activeOrganizationId,
        action: 'move',
        entityType: 'organization',
        entityId: row.id,
        changes: diffFields(toDto(current), toDto(moved), ['parentId', 'path', 'depth']),
        context,
      });
      return toDto(moved);
    });
  }

  async children(activeOrganizationId: string, id: string): Promise<OrganizationDto[]> {
    await this.inScope(activeOrganizationId, id);
    return (await this.repository.children(id)).map(toDto);
  }

  async descendants(activeOrganizationId: string, id: string): Promise<OrganizationDto[]> {
    const { row } = await this.inScope(activeOrganizationId, id);
    return (await this.repository.descendants(row.path)).map(toDto);
  }

  /** Root-first, and only as far up as the caller's scope reaches. */
  async ancestors(activeOrganizationId: string, id: string): Promise<OrganizationDto[]> {
    const { scope, row } = await this.inScope(activeOrganizationId, id);
    const ids = row.path.split('/').filter((part) => part && part !== row.id);
    const rows = await this.repository.byIds(ids);
    return rows.filter((r) => r.path.startsWith(scope.path)).map(toDto);
  }
}
