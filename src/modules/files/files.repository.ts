import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  Conditions,
  deleteTenantRow,
  orderBy,
  selectPage,
  selectTenantRow,
  historyPageConditions,
  utcMicros,
} from '../../core/database';
import { foldedContains } from '../../core/database/folded-text';
import type { ListQuery } from '../../core/http';
import type { AttachableType } from './dto/file.dto';

/** A `stored_files` row (`size` as a number of bytes, null while a direct upload is pending). */
export interface FileRow {
  id: string;
  organization_id: string;
  storage_key: string;
  original_name: string;
  content_type: string;
  size: number | null;
  checksum_sha256: string | null;
  status: 'pending' | 'ready';
  uploaded_by: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** An `attachments` row with its file. */
export interface AttachmentRow {
  id: string;
  file_id: string;
  entity_type: AttachableType;
  entity_id: string;
  created_by: string | null;
  created_at: Date;
  file: FileRow;
}

/** One attachment of one target as its timeline shows it (`attachmentHistory`). */
export interface AttachmentHistoryRow {
  id: string;
  /** `created_at` as exact UTC text with microseconds. */
  at: string;
  created_by: string | null;
  file_id: string;
  original_name: string;
  content_type: string;
  size: number | null;
}

/** The values of a new `stored_files` row; `size`/`checksumSha256` null for a pending one. */
export interface NewStoredFile {
  id: string;
  storageKey: string;
  backend: string;
  originalName: string;
  contentType: string;
  size: number | null;
  checksumSha256: string | null;
  status: 'pending' | 'ready';
  uploadedBy: string | null;
  uploadedByApiKey: string | null;
}

export type FileSort = 'createdAt' | 'originalName' | 'size';
export type FileFilter = 'status' | 'contentType' | 'q';

const SORT_COLUMNS: Record<FileSort, string> = {
  createdAt: 'created_at',
  originalName: 'original_name',
  size: 'size',
};
const FILE_COLUMNS = `id, organization_id, storage_key, original_name, content_type, size::float8 AS size,
  checksum_sha256, status, uploaded_by, created_at, updated_at, version`;
const SELECT_ATTACHMENT = `SELECT a.id, a.file_id, a.entity_type, a.entity_id, a.created_by, a.created_at,
                       (SELECT row_to_json(f) FROM (SELECT ${FILE_COLUMNS} FROM stored_files WHERE id = a.file_id) f) AS file
                  FROM attachments a`;

/**
 * The only SQL on `stored_files` and `attachments`. Methods take the transaction's manager and the
 * organization id first, put the organization in every WHERE, and never open a transaction.
 */
@Injectable()
export class FilesRepository {
  /** One page of the organization's files. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<FileSort, FileFilter>,
  ): Promise<{ rows: FileRow[]; total: number }> {
    const { status, contentType, q } = query.filters;
    const where = new Conditions()
      .add('organization_id = ?', orgId)
      .addIf(status, 'status = ?')
      .addIf(contentType, 'content_type = ?')
      .addIf(q, foldedContains('original_name'), q);
    where.addFilter(query.filter);
    return selectPage<FileRow>(manager, {
      select: FILE_COLUMNS,
      from: 'stored_files',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** The file, or undefined. `forUpdate` locks its row until the transaction ends. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
    forUpdate = false,
  ): Promise<FileRow | undefined> {
    return selectTenantRow<FileRow>(manager, 'stored_files', FILE_COLUMNS, orgId, id, {
      forUpdate,
    });
  }

  /** The declared content type of a pending upload at `storageKey`, or undefined. */
  async pendingContentType(
    manager: EntityManager,
    orgId: string,
    storageKey: string,
  ): Promise<string | undefined> {
    const [pending] = await manager.query<{ content_type: string }[]>(
      `SELECT content_type FROM stored_files
        WHERE organization_id = $1 AND storage_key = $2 AND status = 'pending'`,
      [orgId, storageKey],
    );
    return pending?.content_type;
  }

  /** Inserts a file's metadata row (version 1). */
  async insert(manager: EntityManager, orgId: string, file: NewStoredFile): Promise<void> {
    await manager.query(
      `INSERT INTO stored_files (id, organization_id, storage_key, backend, original_name, content_type, size,
                                 checksum_sha256, status, uploaded_by, uploaded_by_api_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        file.id,
        orgId,
        file.storageKey,
        file.backend,
        file.originalName,
        file.contentType,
        file.size,
        file.checksumSha256,
        file.status,
        file.uploadedBy,
        file.uploadedByApiKey,
      ],
    );
  }

  /** A confirmed direct upload: ready, with what its bytes turned out to be. */
  async markReady(
    manager: EntityManager,
    orgId: string,
    id: string,
    checked: { size: number; sha256: string; contentType: string },
  ): Promise<void> {
    await manager.query(
      `UPDATE stored_files SET status = 'ready', size = $3, checksum_sha256 = $4, content_type = $5,
              version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [orgId, id, checked.size, checked.sha256, checked.contentType],
    );
  }

  /** Deletes the file's row (its attachments go with it: foreign key). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'stored_files', orgId, id);
  }

  /** The attachments of one entity, oldest first. */
  listAttachments(
    manager: EntityManager,
    orgId: string,
    entityType: AttachableType,
    entityId: string,
  ): Promise<AttachmentRow[]> {
    return manager.query<AttachmentRow[]>(
      `${SELECT_ATTACHMENT} WHERE a.organization_id = $1 AND a.entity_type = $2 AND a.entity_id = $3
        ORDER BY a.created_at, a.id`,
      [orgId, entityType, entityId],
    );
  }

  /** The attachment, or undefined. */
  async findAttachment(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<AttachmentRow | undefined> {
    const [row] = await manager.query<AttachmentRow[]>(
      `${SELECT_ATTACHMENT} WHERE a.organization_id = $1 AND a.id = $2`,
      [orgId, id],
    );
    return row;
  }

  /** Inserts an attachment of a file to an entity. */
  async insertAttachment(
    manager: EntityManager,
    orgId: string,
    attachment: {
      id: string;
      fileId: string;
      entityType: AttachableType;
      entityId: string;
      createdBy: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO attachments (id, organization_id, file_id, entity_type, entity_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        attachment.id,
        orgId,
        attachment.fileId,
        attachment.entityType,
        attachment.entityId,
        attachment.createdBy,
      ],
    );
  }

  /** Deletes an attachment (the file stays). */
  async deleteAttachment(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'attachments', orgId, id);
  }

  /** Detaches every file from one target (deleted with it; the files stay). */
  async deleteAttachmentsOf(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<void> {
    await manager.query(
      'DELETE FROM attachments WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3',
      [orgId, entityType, entityId],
    );
  }

  /**
   * One target's attachments newest first in (`created_at` DESC, `id` DESC), strictly older than
   * `before` when given, at most `limit` (index `ix_attachments_entity_timeline`), with their
   * file's name, type and size.
   */
  attachmentHistory(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
    before: { at: string; id: string } | null,
    limit: number,
  ): Promise<AttachmentHistoryRow[]> {
    const where = historyPageConditions('a', 'created_at', orgId, { entityType, entityId }, before);
    return manager.query<AttachmentHistoryRow[]>(
      `SELECT a.id, ${utcMicros('a.created_at')} AS at,
              a.created_by, a.file_id, f.original_name, f.content_type, f.size::float8 AS size
         FROM attachments a JOIN stored_files f ON f.id = a.file_id AND f.organization_id = a.organization_id
        WHERE ${where.sql}
        ORDER BY a.created_at DESC, a.id DESC LIMIT ${Number(limit)}`,
      where.params,
    );
  }
}
