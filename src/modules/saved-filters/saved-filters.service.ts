import { Injectable, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import { iso } from '../../core/database';
import {
  CustomFieldCatalog,
  CustomFieldDescriptor,
  InvalidFilterError,
  SavedFilterSource,
  SavedFilterSpec,
} from '../../core/filters';
import {
  assertVersionMatches,
  compileListFilter,
  ExpectedVersion,
  findListDefinition,
  ListDefinition,
  NotFoundError,
  parseListQuery,
  ValidationFailedError,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type {
  CreateSavedFilterDto,
  SavedFilterDto,
  UpdateSavedFilterDto,
} from './dto/saved-filter.dto';
import type { SavedFilterVisibility } from './saved-filter.entity';
import { SavedFiltersErrors } from './saved-filters.errors';
import {
  SavedFilterFields,
  SavedFilterRow,
  SavedFiltersRepository,
} from './saved-filters.repository';

/** Who is acting: a signed-in person and their permissions in the organization. */
export interface SavedFilterCaller {
  userId: string;
  permissions: ReadonlySet<string>;
}

const SHARE = 'saved-filters:share';

const toDto = (row: SavedFilterRow, userId: string | null): SavedFilterDto => ({
  id: row.id,
  ownerUserId: row.owner_user_id,
  mine: row.owner_user_id === userId,
  resource: row.resource,
  name: row.name,
  filter: row.filter,
  sort: row.sort,
  columns: row.columns,
  visibility: row.visibility as SavedFilterVisibility,
  isDefault: row.is_default,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

const EDITABLE: (keyof SavedFilterDto)[] = [
  'name',
  'filter',
  'sort',
  'columns',
  'visibility',
  'isDefault',
];

/**
 * Saved filters, or views (SPEC-P3 §6): a person's named filter + sort + columns for one list.
 * Owners see and change their own; a shared filter is visible to (and usable by) every member with
 * `saved-filters:read`, but only its owner changes it (403 `not_owner`); another person's private
 * filter answers 404 as a missing one. Creating a shared filter or changing one to shared needs
 * `saved-filters:share` (403 `share_not_allowed`). Filter, sort and columns are checked when saved
 * against the list's definition (`findListDefinition`, `compileListFilter`), then kept as written,
 * so a field the list later stops allowing makes the view `stale_filter` where it is used (the
 * list side, `ListQueryParser.resolve`). Writes are audited (`saved_filter.created|updated|deleted`).
 */
@Injectable()
export class SavedFiltersService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: SavedFiltersRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Optional() private readonly catalog?: CustomFieldCatalog,
  ) {}

  /** The caller's own and the shared filters (of one list when `resource` is given). */
  list(orgId: string, userId: string, resource?: string): Promise<SavedFilterDto[]> {
    return this.db.read(orgId, async (manager) =>
      (await this.repository.list(manager, orgId, userId, resource)).map((row) =>
        toDto(row, userId),
      ),
    );
  }

  /** One own or shared filter; 404 for another person's private one (or another tenant's). */
  get(orgId: string, userId: string, id: string): Promise<SavedFilterDto> {
    return this.db.read(orgId, async (manager) => {
      const row = await this.repository.findUsable(manager, orgId, userId, id);
      if (!row) throw new NotFoundError('Saved filter');
      return toDto(row, userId);
    });
  }

  /** Saves a filter for the caller after checking it against the list (422), sharing (403). */
  async create(
    orgId: string,
    caller: SavedFilterCaller,
    dto: CreateSavedFilterDto,
    context: AuditContext,
  ): Promise<SavedFilterDto> {
    const fields: SavedFilterFields = {
      name: dto.name,
      filter: dto.filter ?? null,
      sort: dto.sort ?? null,
      columns: dto.columns ?? [],
      visibility: dto.visibility ?? 'private',
      isDefault: dto.isDefault ?? false,
    };
    if (fields.visibility === 'shared') this.assertMayShare(caller);
    await this.check(orgId, caller.userId, dto.resource, fields);
    return this.db.run(orgId, async (manager) => {
      await this.repository.lockOwner(manager, orgId, caller.userId);
      if (fields.isDefault) {
        await this.clearDefault(manager, orgId, caller.userId, dto.resource, null, context);
      }
      const id = uuidv7();
      const row = await this.repository.insert(manager, orgId, {
        id,
        ownerUserId: caller.userId,
        resource: dto.resource,
        ...fields,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'saved_filter',
        entityId: id,
        changes: { resource: dto.resource, ...fields },
        context,
      });
      return toDto(row, caller.userId);
    });
  }

  /**
   * Changes the caller's own filter (`If-Match` honoured, 412): 404 when not visible, 403
   * `not_owner` for someone else's shared filter, 403 `share_not_allowed` when it would become
   * shared without the permission, 422 when the new filter, sort or columns do not fit the list.
   */
  async update(
    orgId: string,
    caller: SavedFilterCaller,
    id: string,
    dto: UpdateSavedFilterDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<SavedFilterDto> {
    const current = await this.db.read(orgId, (manager) =>
      this.repository.findUsable(manager, orgId, caller.userId, id),
    );
    if (!current) throw new NotFoundError('Saved filter');
    if (current.owner_user_id !== caller.userId) throw SavedFiltersErrors.not_owner();
    if (dto.visibility === 'shared' && current.visibility !== 'shared') {
      this.assertMayShare(caller);
    }
    const changesContent =
      dto.filter !== undefined || dto.sort !== undefined || dto.columns !== undefined;
    if (changesContent) {
      await this.check(orgId, caller.userId, current.resource, {
        filter: dto.filter === undefined ? current.filter : dto.filter,
        sort: dto.sort === undefined ? current.sort : dto.sort,
        columns: dto.columns ?? current.columns,
      });
    }
    return this.db.run(orgId, async (manager) => {
      await this.repository.lockOwner(manager, orgId, caller.userId);
      const row = await this.owned(manager, orgId, caller.userId, id);
      assertVersionMatches(expectedVersion, row.version);
      const before = toDto(row, caller.userId);
      const next: SavedFilterFields = {
        name: dto.name ?? row.name,
        filter: dto.filter === undefined ? row.filter : dto.filter,
        sort: dto.sort === undefined ? row.sort : dto.sort,
        columns: dto.columns ?? row.columns,
        visibility: dto.visibility ?? row.visibility,
        isDefault: dto.isDefault ?? row.is_default,
      };
      if (next.isDefault && !row.is_default) {
        await this.clearDefault(manager, orgId, caller.userId, row.resource, id, context);
      }
      // A PATCH that changes nothing is rolled back and not audited (AuditService.recordUpdate).
      return this.audit.recordUpdate(
        manager,
        before,
        EDITABLE,
        async () =>
          toDto(await this.repository.update(manager, orgId, id, row.version, next), caller.userId),
        {
          organizationId: orgId,
          action: 'update',
          entityType: 'saved_filter',
          entityId: id,
          context,
          extra: { resource: row.resource },
        },
      );
    });
  }

  /** Deletes the caller's own filter (`If-Match` honoured); 404 / 403 `not_owner` as `update`. */
  delete(
    orgId: string,
    caller: SavedFilterCaller,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.owned(manager, orgId, caller.userId, id);
      assertVersionMatches(expectedVersion, row.version);
      await this.repository.delete(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'saved_filter',
        entityId: id,
        changes: { resource: row.resource, name: row.name, visibility: row.visibility },
        context,
      });
    });
  }

  /** The filter locked, if the caller owns it: 404 when not visible, 403 when someone else's. */
  private async owned(
    manager: EntityManager,
    orgId: string,
    userId: string,
    id: string,
  ): Promise<SavedFilterRow> {
    const row = await this.repository.lockUsable(manager, orgId, userId, id);
    if (!row) throw new NotFoundError('Saved filter');
    if (row.owner_user_id !== userId) throw SavedFiltersErrors.not_owner();
    return row;
  }

  private assertMayShare(caller: SavedFilterCaller): void {
    if (!caller.permissions.has(SHARE)) throw SavedFiltersErrors.share_not_allowed();
  }

  /**
   * 422 unless `resource` is a registered list and the filter compiles against its allow-list
   * (`cf.<key>` against the organization's custom fields), the sort uses its sortable keys and
   * the columns are among its fields. Nothing is rewritten: the filter is stored as given.
   */
  private async check(
    orgId: string,
    userId: string,
    resource: string,
    fields: Pick<SavedFilterFields, 'filter' | 'sort' | 'columns'>,
  ): Promise<void> {
    const definition = findListDefinition(resource);
    if (!definition) throw SavedFiltersErrors.unknown_resource(resource);
    const mentionsCustom =
      JSON.stringify(fields.filter ?? '').includes('cf.') ||
      (fields.sort ?? '').includes('cf.') ||
      fields.columns.some((column) => column.startsWith('cf.'));
    const custom = mentionsCustom
      ? await this.customFields(definition, orgId)
      : new Map<string, CustomFieldDescriptor>();
    if (fields.filter !== null) {
      try {
        compileListFilter(
          definition,
          fields.filter,
          { orgId, userId, now: this.clock.now(), timezone: 'UTC' },
          custom,
        );
      } catch (error) {
        if (error instanceof InvalidFilterError) {
          throw SavedFiltersErrors.invalid_saved_filter('/filter', error.detail, error.path);
        }
        throw error;
      }
    }
    if (fields.sort !== null) {
      try {
        parseListQuery(definition, { sort: fields.sort }, this.config.pagination);
      } catch (error) {
        if (error instanceof ValidationFailedError) {
          const detail = error.issues.map((issue) => issue.detail).join('; ');
          throw SavedFiltersErrors.invalid_saved_filter('/sort', detail);
        }
        throw error;
      }
      for (const token of fields.sort.split(',')) {
        const field = token.trim().replace(/^[-+]/, '');
        if (field.startsWith('cf.') && !custom.has(field.slice(3))) {
          throw SavedFiltersErrors.invalid_saved_filter(
            '/sort',
            `cannot sort by "${field}": no such custom field`,
          );
        }
      }
    }
    const unknown = fields.columns.filter(
      (column) =>
        !Object.prototype.hasOwnProperty.call(definition.fields, column) &&
        !(column.startsWith('cf.') && definition.customFields && custom.has(column.slice(3))),
    );
    if (unknown.length > 0) {
      throw SavedFiltersErrors.invalid_saved_filter(
        '/columns',
        `not fields of ${resource}: ${unknown.join(', ')}; fields: ${Object.keys(definition.fields).join(', ')}`,
      );
    }
  }

  /** The organization's custom fields of the list's entity type, by key (empty without any). */
  private async customFields(
    definition: ListDefinition,
    orgId: string,
  ): Promise<Map<string, CustomFieldDescriptor>> {
    if (!definition.customFields || !this.catalog) return new Map();
    const descriptors = await this.catalog.definitions(orgId, definition.customFields.entityType);
    return new Map(descriptors.map((descriptor) => [descriptor.key, descriptor]));
  }

  /** Unsets the owner's previous default of the list (audited as an update of that filter). */
  private async clearDefault(
    manager: EntityManager,
    orgId: string,
    userId: string,
    resource: string,
    exceptId: string | null,
    context: AuditContext,
  ): Promise<void> {
    const cleared = await this.repository.clearDefault(manager, orgId, userId, resource, exceptId);
    for (const row of cleared) {
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'update',
        entityType: 'saved_filter',
        entityId: row.id,
        changes: { resource, isDefault: false },
        context,
        event: { changedFields: ['isDefault'] },
      });
    }
  }
}

/**
 * Core's `SavedFilterSource` (`?savedFilterId=` on every list, `ListQueryParser.resolve`): the
 * filter as `userId` may use it — their own, or shared in the organization; an API key (`userId`
 * null) uses shared filters only. Another person's private filter is undefined (→ 404).
 */
@Injectable()
export class SavedFiltersSource extends SavedFilterSource {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: SavedFiltersRepository,
  ) {
    super();
  }

  find(orgId: string, userId: string | null, id: string): Promise<SavedFilterSpec | undefined> {
    return this.db.read(orgId, async (manager) => {
      const row = await this.repository.findUsable(manager, orgId, userId, id);
      if (!row) return undefined;
      return {
        resource: row.resource,
        filter: row.filter as SavedFilterSpec['filter'],
        sort: row.sort,
      };
    });
  }
}
