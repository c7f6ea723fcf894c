import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext, Principal } from '../../core/auth';
import { Clock } from '../../core/clock';
import { iso } from '../../core/database';
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
import { TargetRegistry } from '../../core/targets';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { CategoriesService } from '../categories';
import { CustomFieldsService } from '../custom-fields';
import { FilesService } from '../files';
import { StatusesService } from '../statuses';
import { TagsService } from '../tags';
import { DEFAULT_LOCK_MINUTES, liveLock, mayWrite } from './document-lock';
import type {
  AddVersionDto,
  CheckinDto,
  CreateDocumentDto,
  DocumentDto,
  DocumentVersionDto,
  UpdateDocumentDto,
} from './dto/document.dto';
import { DocumentsErrors } from './documents.errors';
import {
  DOCUMENT_FILTER_FIELDS,
  DocumentFilter,
  DocumentRow,
  DocumentsRepository,
  DocumentSort,
  DocumentVersionRow,
} from './documents.repository';
import { FoldersRepository } from './folders.repository';

export const DOCUMENT_LIST: ListDefinition<DocumentSort, DocumentFilter> = defineList({
  resource: 'documents',
  sortable: ['title', 'createdAt', 'updatedAt'],
  defaultSort: '-createdAt',
  filters: {
    status: 'string',
    folderId: 'uuid',
    type: 'uuid',
    tag: 'names',
    tagAny: 'names',
    q: 'string',
  },
  fields: DOCUMENT_FILTER_FIELDS,
  customFields: { entityType: 'document', column: 'd.custom_fields' },
});

/** The caller as the documents rules need it: who (a user, or null for an API key) and what they may. */
export type DocumentCaller = Pick<Principal, 'userId' | 'permissions'>;

/** Where a document's bytes are: the version's stored file. */
export interface DocumentContent {
  storageKey: string;
  filename: string;
  contentType: string;
  size: number | null;
}

const AUDITED: (keyof DocumentDto)[] = [
  'title',
  'documentTypeId',
  'status',
  'target',
  'folderId',
  'tags',
  'customFields',
];

const toVersionDto = (row: DocumentVersionRow): DocumentVersionDto => ({
  id: row.id,
  number: row.number,
  fileId: row.file_id,
  sha256: row.sha256,
  size: row.size === null ? null : Number(row.size),
  contentType: row.content_type,
  changeNote: row.change_note,
  createdBy: row.created_by,
  createdAt: iso(row.created_at)!,
});

/**
 * Documents with numbered, immutable versions (SPEC-P3 §5). Every write runs in one tenant
 * transaction with its audit row and domain event; version numbers are assigned under the
 * document's row lock (`FOR UPDATE`), so they have no gaps and a stale upload loses (412 / 409).
 * While someone holds a live check-out, only they write (409 `document_locked`); locks expire.
 * A document linked to a target is visible only to callers who may read the target's type.
 */
@Injectable()
export class DocumentsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: DocumentsRepository,
    private readonly folders: FoldersRepository,
    private readonly audit: AuditService,
    private readonly targets: TargetRegistry,
    private readonly files: FilesService,
    private readonly categories: CategoriesService,
    private readonly statuses: StatusesService,
    private readonly tags: TagsService,
    private readonly customFields: CustomFieldsService,
    private readonly clock: Clock,
  ) {}

  private toDto(row: DocumentRow): DocumentDto {
    const lock = liveLock(row, this.clock.now());
    return {
      id: row.id,
      title: row.title,
      documentTypeId: row.document_type_id,
      status: row.status,
      target:
        row.target_type && row.target_id
          ? { entityType: row.target_type, entityId: row.target_id }
          : null,
      folderId: row.folder_id,
      currentVersion: row.current_version,
      fileId: row.file_id,
      size: row.file_size === null ? null : Number(row.file_size),
      contentType: row.content_type,
      sha256: row.sha256,
      lock: lock
        ? {
            lockedBy: lock.lockedBy,
            lockedAt: lock.lockedAt.toISOString(),
            lockExpiresAt: lock.lockExpiresAt.toISOString(),
          }
        : null,
      tags: row.tags,
      customFields: row.custom_fields,
      createdBy: row.created_by,
      createdAt: iso(row.created_at)!,
      updatedAt: iso(row.updated_at)!,
      version: row.version,
    };
  }

  /** Target types whose records `caller` may read (a linked document needs that, SPEC-P3 §5). */
  private readableTypes(caller: DocumentCaller): string[] {
    return this.targets
      .types()
      .filter((type) => this.targets.allows(this.targets.get(type), caller.permissions));
  }

  /**
   * The live document `id` the caller may see, else 404 (missing, deleted, another tenant's, or
   * linked to a target type the caller may not read). `forUpdate` row-locks it.
   */
  async findVisible(
    manager: EntityManager,
    orgId: string,
    id: string,
    caller: DocumentCaller,
    forUpdate = false,
  ): Promise<DocumentRow> {
    const row = await this.repository.findById(manager, orgId, id, { forUpdate });
    if (
      !row ||
      (row.target_type !== null && !this.readableTypes(caller).includes(row.target_type))
    ) {
      throw new NotFoundError('Document');
    }
    return row;
  }

  /** 409 `document_locked` unless nobody holds a live check-out or the caller does. */
  private assertMayWrite(row: DocumentRow, caller: DocumentCaller): void {
    if (!mayWrite(row, caller.userId, this.clock.now())) {
      throw DocumentsErrors.document_locked(iso(row.lock_expires_at)!);
    }
  }

  /** A ready file of the organization, row-locked; else 422 `invalid_file` at `pointer`. */
  private async readyFile(manager: EntityManager, orgId: string, fileId: string, pointer: string) {
    try {
      const file = await this.files.find(manager, orgId, fileId, true);
      if (file.status !== 'ready') throw DocumentsErrors.invalid_file(pointer);
      return file;
    } catch (error) {
      if (error instanceof NotFoundError) throw DocumentsErrors.invalid_file(pointer);
      throw error;
    }
  }

  /** `code`, or the default, checked against the active statuses for documents (422 `invalid_status`). */
  private async statusFor(manager: EntityManager, orgId: string, code?: string): Promise<string> {
    const { codes, defaultCode } = await this.statuses.applicable(manager, orgId, 'document');
    const chosen = code ?? defaultCode ?? 'draft';
    if (!codes.has(chosen)) throw DocumentsErrors.invalid_status(chosen);
    return chosen;
  }

  /**
   * The records a create or update names, each when given: a target the caller may read (404
   * otherwise, as for another tenant's), a folder of this organization, a document type (a
   * usable category of type `document`, 422 at `/documentTypeId`).
   */
  private async assertReferences(
    manager: EntityManager,
    orgId: string,
    caller: DocumentCaller,
    dto: Pick<UpdateDocumentDto, 'target' | 'folderId' | 'documentTypeId'>,
  ): Promise<void> {
    if (dto.target)
      await this.targets.assertAccessible(
        manager,
        orgId,
        caller.permissions,
        dto.target.entityType,
        dto.target.entityId,
      );
    if (dto.folderId) await this.assertFolder(manager, orgId, dto.folderId);
    if (dto.documentTypeId)
      await this.categories.assertUsable(
        manager,
        orgId,
        dto.documentTypeId,
        'document',
        '/documentTypeId',
      );
  }

  /** The folder a request names: a folder of this organization (share-locked), else 422. */
  private async assertFolder(manager: EntityManager, orgId: string, folderId: string) {
    if (!(await this.folders.existsForShare(manager, orgId, folderId)))
      throw DocumentsErrors.invalid_folder('/folderId');
  }

  list(
    orgId: string,
    query: ListQuery<DocumentSort, DocumentFilter>,
    caller: DocumentCaller,
  ): Promise<Page<DocumentDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.page(
        manager,
        orgId,
        query,
        this.readableTypes(caller),
      );
      return toPage(
        rows.map((row) => this.toDto(row)),
        total,
        query,
      );
    });
  }

  get(orgId: string, id: string, caller: DocumentCaller): Promise<DocumentDto> {
    return this.db.read(orgId, async (manager) =>
      this.toDto(await this.findVisible(manager, orgId, id, caller)),
    );
  }

  /**
   * A document and its version 1 (the ready file `fileId`). The target must be readable (404 as
   * the target registry answers), the folder, type and file this organization's (422), the
   * status an active one for documents (default: the registry's default). Event `document.created`.
   */
  create(
    orgId: string,
    dto: CreateDocumentDto,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<DocumentDto> {
    return this.db.run(orgId, async (manager) => {
      await this.assertReferences(manager, orgId, caller, dto);
      const status = await this.statusFor(manager, orgId, dto.status);
      const customFields = await this.customFields.validate(
        manager,
        orgId,
        'document',
        dto.customFields ?? {},
      );
      const file = await this.readyFile(manager, orgId, dto.fileId, '/fileId');
      const id = uuidv7();
      await this.repository.insert(manager, orgId, {
        id,
        title: dto.title,
        documentTypeId: dto.documentTypeId ?? null,
        status,
        targetType: dto.target?.entityType ?? null,
        targetId: dto.target?.entityId ?? null,
        folderId: dto.folderId ?? null,
        customFields,
        createdBy: context.actorUserId,
      });
      await this.repository.insertVersion(manager, orgId, {
        documentId: id,
        number: 1,
        fileId: file.id,
        sha256: file.checksum_sha256,
        size: file.size,
        contentType: file.content_type,
        changeNote: dto.changeNote ?? '',
        createdBy: context.actorUserId,
      });
      if (dto.tags?.length)
        await this.tags.setTagsMany(manager, orgId, caller, 'document', [
          { targetId: id, names: dto.tags, fresh: true },
        ]);
      const created = this.toDto((await this.repository.findById(manager, orgId, id))!);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'document',
        entityId: id,
        changes: { title: created.title, status, fileId: file.id, target: created.target },
        context,
        event: { data: { target: created.target, fileId: file.id } },
      });
      return created;
    });
  }

  /**
   * Changes the fields sent (`If-Match` honoured: 412). A status change is audited as
   * `change_status` and publishes `document.status_changed` (`data: {from, to}`), any other
   * change `document.updated`. Blocked by someone else's live check-out (409 `document_locked`).
   */
  update(
    orgId: string,
    id: string,
    dto: UpdateDocumentDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<DocumentDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.findVisible(manager, orgId, id, caller, true);
      assertVersionMatches(expectedVersion, row.version);
      this.assertMayWrite(row, caller);
      const before = this.toDto(row);
      const statusChange = dto.status !== undefined && dto.status !== row.status;
      return this.audit.updateGuarded(manager, expectedVersion, {
        read: () => Promise.resolve(before),
        fields: AUDITED,
        action: () => (statusChange ? 'change_status' : 'update'),
        write: async () => {
          await this.assertReferences(manager, orgId, caller, dto);
          await this.repository.update(manager, orgId, id, row.version, {
            title: dto.title,
            documentTypeId: dto.documentTypeId,
            status: statusChange ? await this.statusFor(manager, orgId, dto.status) : undefined,
            targetType: dto.target === undefined ? undefined : (dto.target?.entityType ?? null),
            targetId: dto.target === undefined ? undefined : (dto.target?.entityId ?? null),
            folderId: dto.folderId,
            // PATCH merges: the keys sent replace the stored ones, null removes one.
            customFields: dto.customFields
              ? await this.customFields.validate(manager, orgId, 'document', dto.customFields, {
                  previous: row.custom_fields,
                })
              : undefined,
          });
          if (dto.tags)
            await this.tags.setTagsMany(manager, orgId, caller, 'document', [
              { targetId: id, names: dto.tags },
            ]);
          return this.toDto((await this.repository.findById(manager, orgId, id))!);
        },
        entry: {
          organizationId: orgId,
          entityType: 'document',
          entityId: id,
          context,
          event: statusChange
            ? { type: 'document.status_changed', data: { from: row.status, to: dto.status } }
            : undefined,
        },
      });
    });
  }

  /**
   * Deletes the document (`deleted_at`; its versions stay, so their files stay in use), drops its
   * lock, folder and share links, and deletes what hangs off it (comments, tags, followers, …) in
   * the same transaction. `If-Match` honoured; blocked by someone else's check-out.
   */
  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: async () => {
          const row = await this.findVisible(manager, orgId, id, caller, true);
          this.assertMayWrite(row, caller);
          return row;
        },
        remove: () => this.repository.softDelete(manager, orgId, [id]),
        target: 'document',
        entry: { organizationId: orgId, entityType: 'document', entityId: id, context },
        changes: (before) => ({ title: before.title, currentVersion: before.current_version }),
      });
    });
  }

  /** Every version of a readable document, newest first. */
  versions(orgId: string, id: string, caller: DocumentCaller): Promise<DocumentVersionDto[]> {
    return this.db.read(orgId, async (manager) => {
      await this.findVisible(manager, orgId, id, caller);
      return (await this.repository.versions(manager, orgId, id)).map(toVersionDto);
    });
  }

  /**
   * Adds the next version under the document's row lock. The caller states what it saw: `If-Match`
   * (the document's `version`; stale → 412) or `expectedVersion` (its `currentVersion`; stale →
   * 409 `version_conflict`); neither → 422 `version_precondition_required`. Of two uploads made
   * against the same version one wins, the other loses; numbers have no gaps.
   */
  addVersion(
    orgId: string,
    id: string,
    dto: AddVersionDto,
    ifMatch: ExpectedVersion,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<DocumentDto> {
    if (typeof ifMatch !== 'number' && dto.expectedVersion === undefined) {
      throw DocumentsErrors.version_precondition_required();
    }
    return this.db.run(orgId, async (manager) => {
      const row = await this.findVisible(manager, orgId, id, caller, true);
      assertVersionMatches(ifMatch, row.version);
      if (dto.expectedVersion !== undefined && dto.expectedVersion !== row.current_version) {
        throw DocumentsErrors.version_conflict(row.current_version);
      }
      this.assertMayWrite(row, caller);
      return this.appendVersion(manager, orgId, row, dto.fileId, dto.changeNote ?? '', context);
    });
  }

  /**
   * Adds a version pointing at version `number`'s file (history is never rewritten); 404 for an
   * unknown number. `If-Match` honoured; blocked by someone else's check-out.
   */
  restore(
    orgId: string,
    id: string,
    number: number,
    changeNote: string | undefined,
    ifMatch: ExpectedVersion,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<DocumentDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.findVisible(manager, orgId, id, caller, true);
      assertVersionMatches(ifMatch, row.version);
      this.assertMayWrite(row, caller);
      const old = await this.repository.findVersion(manager, orgId, id, number);
      if (!old) throw new NotFoundError('Version');
      return this.appendVersion(
        manager,
        orgId,
        row,
        old.file_id,
        changeNote ?? `Restored version ${number}`,
        context,
        number,
      );
    });
  }

  /** Version `current + 1` of the row-locked `row`, audited with `document.version_added`. */
  private async appendVersion(
    manager: EntityManager,
    orgId: string,
    row: DocumentRow,
    fileId: string,
    changeNote: string,
    context: AuditContext,
    restoredFrom?: number,
  ): Promise<DocumentDto> {
    const file = await this.readyFile(manager, orgId, fileId, '/fileId');
    const number = row.current_version + 1;
    await this.repository.insertVersion(manager, orgId, {
      documentId: row.id,
      number,
      fileId: file.id,
      sha256: file.checksum_sha256,
      size: file.size,
      contentType: file.content_type,
      changeNote,
      createdBy: context.actorUserId,
    });
    await this.repository.setCurrentVersion(manager, orgId, row.id, number);
    await this.audit.record(manager, {
      organizationId: orgId,
      action: 'add_version',
      entityType: 'document',
      entityId: row.id,
      changes: { number, fileId: file.id, ...(restoredFrom ? { restoredFrom } : {}) },
      context,
      event: {
        type: 'document.version_added',
        data: { number, fileId: file.id, ...(restoredFrom ? { restoredFrom } : {}) },
      },
    });
    return this.toDto((await this.repository.findById(manager, orgId, row.id))!);
  }

  /** Where version `number` (default: the current one) of a readable document is stored. */
  content(
    orgId: string,
    id: string,
    number: number | undefined,
    caller: DocumentCaller,
  ): Promise<DocumentContent> {
    return this.db.read(orgId, async (manager) => {
      const row = await this.findVisible(manager, orgId, id, caller);
      return this.contentOf(manager, orgId, row, number);
    });
  }

  /** The stored file of version `number` (default current) of `row`; 404 for an unknown number. */
  async contentOf(
    manager: EntityManager,
    orgId: string,
    row: DocumentRow,
    number?: number,
  ): Promise<DocumentContent> {
    const version =
      number === undefined || number === row.current_version
        ? { file_id: row.file_id }
        : await this.repository.findVersion(manager, orgId, row.id, number);
    if (!version) throw new NotFoundError('Version');
    const file = await this.files.find(manager, orgId, version.file_id);
    return {
      storageKey: file.storage_key,
      filename: file.original_name,
      contentType: file.content_type,
      size: file.size,
    };
  }

  /**
   * Checks the document out to the calling user for `minutes` (default 60): others' writes get
   * 409 `document_locked` until check-in, force-unlock or expiry. Checking out again extends the
   * caller's own lock; someone else's live lock → 409. Event `document.checked_out`.
   */
  checkout(
    orgId: string,
    id: string,
    minutes: number | undefined,
    userId: string,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<DocumentDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.findVisible(manager, orgId, id, caller, true);
      this.assertMayWrite(row, caller);
      const now = this.clock.now();
      const expires = new Date(now.getTime() + (minutes ?? DEFAULT_LOCK_MINUTES) * 60_000);
      await this.repository.setLock(manager, orgId, id, {
        lockedBy: userId,
        lockedAt: now,
        lockExpiresAt: expires,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'check_out',
        entityType: 'document',
        entityId: id,
        changes: { lockExpiresAt: expires.toISOString() },
        context,
        event: { type: 'document.checked_out', data: { lockExpiresAt: expires.toISOString() } },
      });
      return this.toDto((await this.repository.findById(manager, orgId, id))!);
    });
  }

  /**
   * The lock holder checks the document in (409 `not_checked_out` for anyone else, or when the
   * lock expired), optionally with a new version (`fileId`). Event `document.checked_in`.
   */
  checkin(
    orgId: string,
    id: string,
    dto: CheckinDto,
    userId: string,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<DocumentDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.findVisible(manager, orgId, id, caller, true);
      const lock = liveLock(row, this.clock.now());
      if (!lock || lock.lockedBy !== userId) throw DocumentsErrors.not_checked_out();
      let number: number | null = null;
      if (dto.fileId) {
        number = (
          await this.appendVersion(manager, orgId, row, dto.fileId, dto.changeNote ?? '', context)
        ).currentVersion;
      }
      await this.repository.setLock(manager, orgId, id, {
        lockedBy: null,
        lockedAt: null,
        lockExpiresAt: null,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'check_in',
        entityType: 'document',
        entityId: id,
        changes: number ? { number } : {},
        context,
        event: { type: 'document.checked_in', data: { number } },
      });
      return this.toDto((await this.repository.findById(manager, orgId, id))!);
    });
  }

  /**
   * Removes anyone's lock (route permission `documents:manage`); a no-op without a lock. Audited
   * as `force_unlock` with event `document.unlocked` (`data.lockedBy`: whose lock it was).
   */
  forceUnlock(
    orgId: string,
    id: string,
    context: AuditContext,
    caller: DocumentCaller,
  ): Promise<DocumentDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.findVisible(manager, orgId, id, caller, true);
      if (row.locked_by === null) return this.toDto(row);
      await this.repository.setLock(manager, orgId, id, {
        lockedBy: null,
        lockedAt: null,
        lockExpiresAt: null,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'force_unlock',
        entityType: 'document',
        entityId: id,
        changes: { lockedBy: row.locked_by },
        context,
        event: { type: 'document.unlocked', data: { lockedBy: row.locked_by } },
      });
      return this.toDto((await this.repository.findById(manager, orgId, id))!);
    });
  }
}
