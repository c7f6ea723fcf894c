import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { childPlacement, iso } from '../../core/database';
import {
  assertVersionMatches,
  defineList,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type { CreateFolderDto, FolderDto, MoveFolderDto, UpdateFolderDto } from './dto/folder.dto';
import { DocumentsErrors } from './documents.errors';
import { FolderFilter, FolderRow, FoldersRepository, FolderSort } from './folders.repository';

export const FOLDER_LIST: ListDefinition<FolderSort, FolderFilter> = defineList({
  resource: 'folders',
  sortable: ['name', 'createdAt', 'depth'],
  defaultSort: 'depth,name',
  filters: { parentId: 'uuid', q: 'string' },
  fields: {
    id: { type: 'uuid', column: 'folders.id' },
    name: { type: 'string', column: 'folders.name' },
    parentId: { type: 'uuid', column: 'folders.parent_id' },
    depth: { type: 'int', column: 'folders.depth' },
    createdAt: { type: 'datetime', column: 'folders.created_at' },
  },
});

const toDto = (row: FolderRow): FolderDto => ({
  id: row.id,
  name: row.name,
  parentId: row.parent_id,
  path: row.path,
  depth: row.depth,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/**
 * The folder tree of one organization (SPEC-P3 §5): names unique among siblings ignoring case
 * (409 `conflict`), moves of whole subtrees that never go under themselves (422 `tree_cycle`),
 * deletes of empty folders only (409 `folder_not_empty`). Audited: `folder.created|updated|moved|deleted`.
 */
@Injectable()
export class FoldersService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly repository: FoldersRepository,
  ) {}

  list(orgId: string, query: ListQuery<FolderSort, FolderFilter>): Promise<Page<FolderDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  private async find(manager: EntityManager, orgId: string, id: string): Promise<FolderRow> {
    const row = await this.repository.findById(manager, orgId, id);
    if (!row) throw new NotFoundError('Folder');
    return row;
  }

  /** The parent a request names: a folder of this organization, else 422 `invalid_folder`. */
  private async parentFor(manager: EntityManager, orgId: string, id: string): Promise<FolderRow> {
    const parent = await this.repository.findById(manager, orgId, id);
    if (!parent) throw DocumentsErrors.invalid_folder('/parentId');
    return parent;
  }

  get(orgId: string, id: string): Promise<FolderDto> {
    return this.db.read(orgId, async (manager) => toDto(await this.find(manager, orgId, id)));
  }

  create(orgId: string, dto: CreateFolderDto, context: AuditContext): Promise<FolderDto> {
    return this.db.run(orgId, async (manager) => {
      const parent = dto.parentId ? await this.parentFor(manager, orgId, dto.parentId) : null;
      const id = uuidv7();
      const { path, depth } = childPlacement(id, parent);
      await this.repository.insert(manager, orgId, {
        id,
        name: dto.name,
        parentId: parent?.id ?? null,
        path,
        depth,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'folder',
        entityId: id,
        changes: { name: dto.name, parentId: parent?.id ?? null },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
    });
  }

  update(
    orgId: string,
    id: string,
    dto: UpdateFolderDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<FolderDto> {
    return this.db.run(orgId, (manager) =>
      this.audit.updateGuarded(manager, expectedVersion, {
        read: async () => toDto(await this.find(manager, orgId, id)),
        fields: ['name'],
        write: async (before) =>
          dto.name === undefined
            ? before
            : toDto(await this.repository.rename(manager, orgId, id, before.version, dto.name)),
        entry: { organizationId: orgId, entityType: 'folder', entityId: id, context },
      }),
    );
  }

  move(
    orgId: string,
    id: string,
    dto: MoveFolderDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<FolderDto> {
    return this.db.run(orgId, async (manager) => {
      // Lock the subtree's root so concurrent moves of one node serialize.
      await this.repository.lockForUpdate(manager, orgId, id);
      const node = await this.find(manager, orgId, id);
      assertVersionMatches(expectedVersion, node.version);
      const parent = dto.parentId ? await this.parentFor(manager, orgId, dto.parentId) : null;
      await this.repository.moveSubtree(manager, orgId, node, parent);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'move',
        entityType: 'folder',
        entityId: id,
        changes: { parentId: { from: node.parent_id, to: parent?.id ?? null } },
        context,
      });
      return toDto(await this.find(manager, orgId, id));
    });
  }

  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.repository.lockForUpdate(manager, orgId, id);
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: () => this.find(manager, orgId, id),
        remove: async () => {
          if (await this.repository.hasContent(manager, orgId, id))
            throw DocumentsErrors.folder_not_empty();
          await this.repository.delete(manager, orgId, id);
        },
        entry: { organizationId: orgId, entityType: 'folder', entityId: id, context },
        changes: (before) => ({ name: before.name, parentId: before.parent_id }),
      });
    });
  }
}
