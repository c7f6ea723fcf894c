import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantDatabase } from '../../core/tenancy';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import {
  assertVersionMatches,
  ExpectedVersion,
  ListQuery,
  NotFoundError,
  Page,
  PreconditionFailedError,
  toPage,
} from '../../core/http';
import { AccessService } from '../access';
import { AuditService, diffFields } from '../audit';
import { OrganizationTypesService } from '../organization-types';
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
    private readonly db: TenantDatabase,
    private readonly organizationTypes: OrganizationTypesService,
  ) {}

  /**
   * `work` in a `runAsSystem('identity-directory')` transaction: scopes are subtrees (an
   * organization and its descendants), which row-level security on one organization would hide.
   */
  private directory<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.runAsSystem('identity-directory', work);
  }

  private async scope(activeOrganizationId: string): Promise<OrganizationRow> {
    const active = await this.directory((m) => this.repository.findById(m, activeOrganizationId));
    if (!active) throw new NotFoundError('Organization');
    return active;
  }

  private async inScope(
    activeOrganizationId: string,
    id: string,
  ): Promise<{ scope: OrganizationRow; row: OrganizationRow }> {
    const scope = await this.scope(activeOrganizationId);
    const row = await this.directory((m) => this.repository.findInScope(m, scope.path, id));
    if (!row) throw new NotFoundError('Organization');
    return { scope, row };
  }

  async list(
    activeOrganizationId: string,
    query: ListQuery<OrganizationSort, OrganizationFilter>,
  ): Promise<Page<OrganizationDto>> {
    const scope = await this.scope(activeOrganizationId);
    const { rows, total } = await this.directory((m) => this.repository.list(m, scope.path, query));
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
    if (!(await this.directory((m) => this.organizationTypes.exists(dto.typeCode, m)))) {
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
    return toDto((await this.repository.findById(manager, id)) as OrganizationRow);
  }

  /**
   * The organization `id` as seen inside the caller's transaction (`manager`: it may have been
   * created there, uncommitted), without a scope check; undefined when it does not exist. For
   * other modules' mails and the like (name, language), never for answering a route.
   */
  async findInTransaction(
    manager: EntityManager,
    id: string,
  ): Promise<OrganizationDto | undefined> {
    const row = await this.repository.findById(manager, id);
    return row ? toDto(row) : undefined;
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
    const parentId = dto.parentId;
    const parent = parentId
      ? await this.directory((m) => this.repository.findInScope(m, scope.path, parentId))
      : scope;
    if (!parent) throw OrganizationsErrors.invalid_parent();
    if (parent.status === 'archived') {
      throw OrganizationsErrors.parent_archived();
    }
    if (!(await this.directory((m) => this.organizationTypes.exists(dto.typeCode, m)))) {
      throw OrganizationsErrors.unknown_organization_type(dto.typeCode);
    }
    const id = uuidv7();
    await this.db.runAsSystem('identity-directory', async (manager) => {
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

  /**
   * PATCH: only the fields sent change. Goes through `AuditService.recordUpdate`, so a PATCH that
   * changes nothing answers the unchanged row (same version, no audit row). `null` on these
   * non-nullable fields never reaches here (422 from the validation pipe). 404 outside the
   * caller's subtree, 412 on a stale If-Match, 422 `unknown_organization_type`, 409 on a taken code.
   */
  async update(
    activeOrganizationId: string,
    id: string,
    dto: UpdateOrganizationDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<OrganizationDto> {
    const { row } = await this.inScope(activeOrganizationId, id);
    assertVersionMatches(expectedVersion, row.version);
    const typeCode = dto.typeCode;
    if (
      typeCode !== undefined &&
      !(await this.directory((m) => this.organizationTypes.exists(typeCode, m)))
    ) {
      throw OrganizationsErrors.unknown_organization_type(dto.typeCode);
    }
    const changes = Object.fromEntries(
      Object.entries({
        code: dto.code,
        name: dto.name,
        type_code: dto.typeCode,
        currency_code: dto.currencyCode,
        timezone: dto.timezone,
        language: dto.language,
      }).filter(([, value]) => value !== undefined),
    );
    if (Object.keys(changes).length === 0) return toDto(row);
    const before = toDto(row);
    const result = await this.db.runAsSystem('identity-directory', (manager) =>
      this.audit.recordUpdate(
        manager,
        before,
        AUDITED,
        async () => {
          const updated = await this.repository.update(manager, row.id, row.version, changes);
          if (!updated) throw new PreconditionFailedError();
          return toDto(updated);
        },
        {
          organizationId: activeOrganizationId,
          action: 'update',
          entityType: 'organization',
          entityId: row.id,
          context,
        },
      ),
    );
    // The organization's language is cached with its members' access.
    if (result.language !== before.language) await this.access.invalidate();
    return result;
  }

  /**
   * Archives `id` (never the caller's active organization: 422
   * `cannot_archive_active_organization`). While any descendant is still active this is a 409
   * `active_descendants` (meta: `count` and up to 50 `ids`) and nothing changes, unless `cascade`:
   * then the node and every active descendant are archived in one transaction (subtree rows
   * locked first), each with its own audit row and version bump. Already archived: answered as is.
   * Archived organizations are read-only for their members (see `AuthGuard`), so the access
   * cache, which carries the status, is dropped after commit.
   */
  async archive(
    activeOrganizationId: string,
    id: string,
    cascade: boolean,
    context: AuditContext,
  ): Promise<OrganizationDto> {
    if (id === activeOrganizationId) {
      throw OrganizationsErrors.cannot_archive_active_organization();
    }
    const { row } = await this.inScope(activeOrganizationId, id);
    if (row.status === 'archived') return toDto(row);
    const result = await this.db.runAsSystem('identity-directory', async (manager) => {
      const subtree = await this.repository.lockSubtree(manager, row.path);
      const node = subtree.find((r) => r.id === row.id);
      if (!node || node.version !== row.version) throw new PreconditionFailedError();
      const activeDescendants = subtree.filter((r) => r.id !== row.id && r.status === 'active');
      if (activeDescendants.length > 0 && !cascade) {
        throw OrganizationsErrors.active_descendants(activeDescendants.map((r) => r.id));
      }
      const archived = await this.repository.archiveActive(
        manager,
        [row, ...activeDescendants].map((r) => r.id),
      );
      const before = new Map(subtree.map((r) => [r.id, r]));
      for (const after of archived) {
        await this.audit.record(manager, {
          organizationId: activeOrganizationId,
          action: 'archive',
          entityType: 'organization',
          entityId: after.id,
          changes: {
            ...diffFields(toDto(before.get(after.id) as OrganizationRow), toDto(after), AUDITED),
            ...(after.id === row.id ? {} : { cascadeFrom: row.id }),
          },
          context,
        });
      }
      return toDto(archived.find((r) => r.id === row.id) as OrganizationRow);
    });
    await this.access.invalidate();
    return result;
  }

  /**
   * Restores one archived organization (its descendants stay as they are: restore them one by
   * one, top down). The caller acts from an active ancestor's context (writes in an archived
   * organization's own context are refused by the guard). 422 `parent_archived` while the parent
   * is archived; already active: answered as is.
   */
  async restore(
    activeOrganizationId: string,
    id: string,
    context: AuditContext,
  ): Promise<OrganizationDto> {
    const { row } = await this.inScope(activeOrganizationId, id);
    if (row.status === 'active') return toDto(row);
    const parentId = row.parent_id;
    if (parentId) {
      const parent = await this.directory((m) => this.repository.findById(m, parentId));
      if (parent?.status === 'archived') {
        throw OrganizationsErrors.parent_archived('restore');
      }
    }
    const result = await this.db.runAsSystem('identity-directory', async (manager) => {
      const updated = await this.repository.update(manager, row.id, row.version, {
        status: 'active',
        archived_at: null,
      });
      if (!updated) throw new PreconditionFailedError();
      await this.audit.record(manager, {
        organizationId: activeOrganizationId,
        action: 'restore',
        entityType: 'organization',
        entityId: row.id,
        changes: diffFields(toDto(row), toDto(updated), AUDITED),
        context,
      });
      return toDto(updated);
    });
    await this.access.invalidate();
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
    const parent = await this.directory((m) =>
      this.repository.findInScope(m, scope.path, parentId),
    );
    if (!parent) throw OrganizationsErrors.invalid_parent();
    if (parent.status === 'archived') {
      throw OrganizationsErrors.parent_archived('move');
    }
    if (parent.path.startsWith(row.path)) {
      throw OrganizationsErrors.cycle_detected('/parentId');
    }
    return this.db.runAsSystem('identity-directory', async (manager) => {
      // Lock the subtree and the new parent, so concurrent moves cannot interleave into a cycle.
      await this.repository.lockForMove(manager, row.path, parent.id);
      const [current, currentParent] = [
        await this.repository.findById(manager, row.id),
        await this.repository.findById(manager, parent.id),
      ];
      if (!current || !currentParent || currentParent.path.startsWith(current.path)) {
        throw OrganizationsErrors.cycle_detected();
      }
      await this.repository.moveSubtree(manager, current, currentParent);
      const moved = (await this.repository.findById(manager, row.id)) as OrganizationRow;
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
    return (await this.directory((m) => this.repository.children(m, id))).map(toDto);
  }

  async descendants(activeOrganizationId: string, id: string): Promise<OrganizationDto[]> {
    const { row } = await this.inScope(activeOrganizationId, id);
    return (await this.directory((m) => this.repository.descendants(m, row.path))).map(toDto);
  }

  /** Root-first, and only as far up as the caller's scope reaches. */
  async ancestors(activeOrganizationId: string, id: string): Promise<OrganizationDto[]> {
    const { scope, row } = await this.inScope(activeOrganizationId, id);
    const ids = row.path.split('/').filter((part) => part && part !== row.id);
    const rows = await this.directory((m) => this.repository.byIds(m, ids));
    return rows.filter((r) => r.path.startsWith(scope.path)).map(toDto);
  }

  /**
   * The subset of `ids` (organization ids) that are archived, i.e. read-only (README "Archive…"),
   * read in the caller's transaction `manager`. For callers that act on many organizations at
   * once, like the scheduler, which skips the runs of archived organizations.
   */
  async archivedAmong(manager: EntityManager, ids: string[]): Promise<Set<string>> {
    return new Set(await this.repository.archivedAmong(manager, ids));
  }
}
