import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  orderBy,
  returningRows,
  selectPage,
  updateVersioned,
} from '../../core/database';
import type { FilterField } from '../../core/filters';
import type { ListQuery } from '../../core/http';
import { addTagFilters, tagNamesOf, tagsFilterField } from '../tags';

/** A live `documents` row with its current version's file and its tag names. */
export interface DocumentRow {
  id: string;
  title: string;
  document_type_id: string | null;
  status: string;
  target_type: string | null;
  target_id: string | null;
  folder_id: string | null;
  current_version: number;
  locked_by: string | null;
  locked_at: Date | null;
  lock_expires_at: Date | null;
  custom_fields: Record<string, unknown>;
  tags: string[];
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  file_id: string;
  file_size: string | null;
  content_type: string;
  sha256: string | null;
}

/** A `document_versions` row. */
export interface DocumentVersionRow {
  id: string;
  document_id: string;
  number: number;
  file_id: string;
  sha256: string | null;
  size: string | null;
  content_type: string;
  change_note: string;
  created_by: string | null;
  created_at: Date;
}

/** A `document_share_links` row (never the token: only its hash is stored). */
export interface ShareLinkRow {
  id: string;
  document_id: string;
  token_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_by: string | null;
  access_count: number;
  last_accessed_at: Date | null;
  created_at: Date;
}

export type DocumentSort = 'title' | 'createdAt' | 'updatedAt';
export type DocumentFilter = 'status' | 'folderId' | 'type' | 'tag' | 'tagAny' | 'q';

const SORT_COLUMNS: Record<DocumentSort, string> = {
  title: 'lower(d.title)',
  createdAt: 'd.created_at',
  updatedAt: 'd.updated_at',
};

/** `?filter=` fields of a document list; the list reads `documents d`. */
export const DOCUMENT_FILTER_FIELDS: Record<string, FilterField> = {
  id: { type: 'uuid', column: 'd.id' },
  title: { type: 'string', column: 'd.title' },
  status: { type: 'string', column: 'd.status' },
  folderId: { type: 'uuid', column: 'd.folder_id' },
  type: { type: 'uuid', column: 'd.document_type_id' },
  tags: tagsFilterField('document', 'd.id'),
  createdAt: { type: 'datetime', column: 'd.created_at' },
  updatedAt: { type: 'datetime', column: 'd.updated_at' },
};

const FROM = `documents d JOIN document_versions v
  ON v.document_id = d.id AND v.number = d.current_version AND v.organization_id = d.organization_id`;
const COLUMNS = `d.id, d.title, d.document_type_id, d.status, d.target_type, d.target_id, d.folder_id,
  d.current_version, d.locked_by, d.locked_at, d.lock_expires_at, d.custom_fields,
  ${tagNamesOf('document', 'd.id', 'd.organization_id')} AS tags, d.created_by, d.created_at,
  d.updated_at, d.version, v.file_id, v.size AS file_size, v.content_type, v.sha256`;
const VERSION_COLUMNS = `id, document_id, number, file_id, sha256, size, content_type, change_note,
  created_by, created_at`;
const LINK_COLUMNS = `id, document_id, token_hash, expires_at, revoked_at, created_by, access_count,
  last_accessed_at, created_at`;

/**
 * The only SQL on `documents`, `document_versions` and `document_share_links`. Every method takes
 * the caller's tenant transaction and the organization id first and puts it in every WHERE.
 * Deleted documents (`deleted_at` set) are invisible to every read but the target cascade's.
 */
@Injectable()
export class DocumentsRepository {
  /**
   * One page of live documents. `readableTargetTypes`: the target types whose read permission the
   * caller holds; a document linked to another type is left out (SPEC-P3 §5).
   */
  page(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<DocumentSort, DocumentFilter>,
    readableTargetTypes: string[],
  ): Promise<{ rows: DocumentRow[]; total: number }> {
    const { status, folderId, type, tag, tagAny, q } = query.filters;
    const where = addTagFilters(
      new Conditions()
        .add('d.organization_id = ?', orgId)
        .add('d.deleted_at IS NULL')
        .add('(d.target_type IS NULL OR d.target_type = ANY (?::text[]))', readableTargetTypes),
      'document',
      'd.id',
      { tag, tagAny },
    )
      .addIf(status, 'd.status = ?')
      .addIf(folderId, 'd.folder_id = ?')
      .addIf(type, 'd.document_type_id = ?')
      .addIf(q, 'd.search_vector @@ search_prefix_query(?)', q)
      .addFilter(query.filter);
    return selectPage<DocumentRow>(manager, {
      select: COLUMNS,
      from: FROM,
      where,
      order: orderBy(query.sort, SORT_COLUMNS, 'd.id ASC'),
      query,
    });
  }

  /** The live document `id` with its current file and tags; `forUpdate` row-locks the document. */
  async findById(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<DocumentRow | undefined> {
    if (options.forUpdate) {
      // Locked on its own first: a `FOR UPDATE` on the join would re-check the join against the
      // row a concurrent writer committed (new current_version) and drop it (a false 404).
      await manager.query(
        'SELECT 1 FROM documents WHERE organization_id = $1 AND id = $2 FOR UPDATE',
        [orgId, id],
      );
    }
    const [row] = await manager.query<DocumentRow[]>(
      `SELECT ${COLUMNS} FROM ${FROM}
        WHERE d.organization_id = $1 AND d.id = $2 AND d.deleted_at IS NULL`,
      [orgId, id],
    );
    return row;
  }

  /**
   * Whether the organization has the live document `id` (target registry); `forShare`
   * share-locks it until the caller's transaction ends.
   */
  async exists(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { forShare?: boolean } = {},
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM documents WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL${
        options.forShare ? ' FOR SHARE' : ''
      }`,
      [orgId, id],
    );
    return rows.length > 0;
  }

  /** Inserts a document row (its first version is inserted next, in the same transaction). */
  async insert(
    manager: EntityManager,
    orgId: string,
    row: {
      id: string;
      title: string;
      documentTypeId: string | null;
      status: string;
      targetType: string | null;
      targetId: string | null;
      folderId: string | null;
      customFields: Record<string, unknown>;
      createdBy: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO documents (id, organization_id, title, document_type_id, status, target_type,
         target_id, folder_id, current_version, custom_fields, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)`,
      [
        row.id,
        orgId,
        row.title,
        row.documentTypeId,
        row.status,
        row.targetType,
        row.targetId,
        row.folderId,
        JSON.stringify(row.customFields),
        row.createdBy,
      ],
    );
  }

  /** Inserts version `number` (unique per document: a duplicate is 23505, never a gap). */
  async insertVersion(
    manager: EntityManager,
    orgId: string,
    version: {
      documentId: string;
      number: number;
      fileId: string;
      sha256: string | null;
      size: number | null;
      contentType: string;
      changeNote: string;
      createdBy: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO document_versions (organization_id, document_id, number, file_id, sha256, size,
         content_type, change_note, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        orgId,
        version.documentId,
        version.number,
        version.fileId,
        version.sha256,
        version.size,
        version.contentType,
        version.changeNote,
        version.createdBy,
      ],
    );
  }

  /**
   * The editable fields at `version` (412 when the row moved on); `undefined` keeps a value,
   * `null` clears a nullable one. Bumps `version`.
   */
  async update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    changes: {
      title?: string;
      documentTypeId?: string | null;
      status?: string;
      targetType?: string | null;
      targetId?: string | null;
      folderId?: string | null;
      customFields?: Record<string, unknown>;
    },
  ): Promise<void> {
    const keep = (value: unknown) => value === undefined;
    await updateVersioned(manager, {
      table: 'documents',
      organizationId: orgId,
      id,
      version,
      set: `title = CASE WHEN $4 THEN title ELSE $5 END,
            document_type_id = CASE WHEN $6 THEN document_type_id ELSE $7::uuid END,
            status = CASE WHEN $8 THEN status ELSE $9 END,
            target_type = CASE WHEN $10 THEN target_type ELSE $11 END,
            target_id = CASE WHEN $10 THEN target_id ELSE $12::uuid END,
            folder_id = CASE WHEN $13 THEN folder_id ELSE $14::uuid END,
            custom_fields = CASE WHEN $15 THEN custom_fields ELSE $16::jsonb END`,
      values: [
        keep(changes.title),
        changes.title ?? null,
        keep(changes.documentTypeId),
        changes.documentTypeId ?? null,
        keep(changes.status),
        changes.status ?? null,
        keep(changes.targetType),
        changes.targetType ?? null,
        changes.targetId ?? null,
        keep(changes.folderId),
        changes.folderId ?? null,
        keep(changes.customFields),
        changes.customFields === undefined ? null : JSON.stringify(changes.customFields),
      ],
      returning: 'id',
    });
  }

  /** Points the (row-locked) document at version `number` and bumps its `version`. */
  async setCurrentVersion(
    manager: EntityManager,
    orgId: string,
    id: string,
    number: number,
  ): Promise<void> {
    await manager.query(
      `UPDATE documents SET current_version = $3, version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [orgId, id, number],
    );
  }

  /** Sets (or, all null, clears) the check-out lock of the (row-locked) document; bumps `version`. */
  async setLock(
    manager: EntityManager,
    orgId: string,
    id: string,
    lock: { lockedBy: string | null; lockedAt: Date | null; lockExpiresAt: Date | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE documents SET locked_by = $3, locked_at = $4, lock_expires_at = $5,
              version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [orgId, id, lock.lockedBy, lock.lockedAt, lock.lockExpiresAt],
    );
  }

  /**
   * Marks documents deleted (their versions stay: history, and their files stay in use), drops
   * their lock and folder, and revokes their share links. Returns the ids it deleted.
   */
  async softDelete(manager: EntityManager, orgId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE documents SET deleted_at = now(), folder_id = NULL, locked_by = NULL, locked_at = NULL,
              lock_expires_at = NULL, version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = ANY ($2::uuid[]) AND deleted_at IS NULL
        RETURNING id`,
      [orgId, ids],
    );
    await manager.query(
      `UPDATE document_share_links SET revoked_at = now()
        WHERE organization_id = $1 AND document_id = ANY ($2::uuid[]) AND revoked_at IS NULL`,
      [orgId, ids],
    );
    return rows.map((r) => r.id);
  }

  /** Ids of the live documents linked to one target, row-locked (the target is being deleted). */
  async linkedTo(
    manager: EntityManager,
    orgId: string,
    targetType: string,
    targetId: string,
  ): Promise<string[]> {
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM documents
        WHERE organization_id = $1 AND target_type = $2 AND target_id = $3 AND deleted_at IS NULL
        ORDER BY id FOR UPDATE`,
      [orgId, targetType, targetId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Stores the text extracted from version `number`, only while it is still the current one
   * (derived data: no version bump, `updated_at` kept).
   */
  async setContentText(
    manager: EntityManager,
    orgId: string,
    id: string,
    number: number,
    text: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE documents SET content_text = $4
        WHERE organization_id = $1 AND id = $2 AND current_version = $3`,
      [orgId, id, number, text],
    );
  }

  /** Whether a live document has status `code` (the statuses registry's in-use check). */
  async statusInUse(manager: EntityManager, orgId: string, code: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM documents WHERE organization_id = $1 AND status = $2 AND deleted_at IS NULL
        LIMIT 1`,
      [orgId, code],
    );
    return rows.length > 0;
  }

  /** Every version of a document, newest first. */
  versions(
    manager: EntityManager,
    orgId: string,
    documentId: string,
  ): Promise<DocumentVersionRow[]> {
    return manager.query<DocumentVersionRow[]>(
      `SELECT ${VERSION_COLUMNS} FROM document_versions
        WHERE organization_id = $1 AND document_id = $2 ORDER BY number DESC`,
      [orgId, documentId],
    );
  }

  /** Version `number` of a document, or undefined. */
  async findVersion(
    manager: EntityManager,
    orgId: string,
    documentId: string,
    number: number,
  ): Promise<DocumentVersionRow | undefined> {
    const [row] = await manager.query<DocumentVersionRow[]>(
      `SELECT ${VERSION_COLUMNS} FROM document_versions
        WHERE organization_id = $1 AND document_id = $2 AND number = $3`,
      [orgId, documentId, number],
    );
    return row;
  }

  /** Inserts a share link (the token's hash only) and returns it. */
  async insertShareLink(
    manager: EntityManager,
    orgId: string,
    link: { documentId: string; tokenHash: string; expiresAt: Date; createdBy: string | null },
  ): Promise<ShareLinkRow> {
    const [row] = await returningRows<ShareLinkRow>(
      manager,
      `INSERT INTO document_share_links (organization_id, document_id, token_hash, expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${LINK_COLUMNS}`,
      [orgId, link.documentId, link.tokenHash, link.expiresAt, link.createdBy],
    );
    return row;
  }

  /** A document's share links, newest first. */
  shareLinks(manager: EntityManager, orgId: string, documentId: string): Promise<ShareLinkRow[]> {
    return manager.query<ShareLinkRow[]>(
      `SELECT ${LINK_COLUMNS} FROM document_share_links
        WHERE organization_id = $1 AND document_id = $2 ORDER BY created_at DESC, id DESC`,
      [orgId, documentId],
    );
  }

  /** One share link of a document, or undefined. */
  async findShareLink(
    manager: EntityManager,
    orgId: string,
    documentId: string,
    id: string,
  ): Promise<ShareLinkRow | undefined> {
    const [row] = await manager.query<ShareLinkRow[]>(
      `SELECT ${LINK_COLUMNS} FROM document_share_links
        WHERE organization_id = $1 AND document_id = $2 AND id = $3`,
      [orgId, documentId, id],
    );
    return row;
  }

  /** Revokes a share link (no-op when already revoked); returns it as it now is. */
  async revokeShareLink(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await manager.query(
      `UPDATE document_share_links SET revoked_at = COALESCE(revoked_at, now())
        WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
  }

  /**
   * The share link whose token hashes to `tokenHash`, if it is neither revoked nor expired at
   * `now` and its document is live; counts the access (row-locked while counting).
   */
  async useShareLink(
    manager: EntityManager,
    orgId: string,
    tokenHash: string,
    now: Date,
  ): Promise<ShareLinkRow | undefined> {
    const [row] = await returningRows<ShareLinkRow>(
      manager,
      `UPDATE document_share_links l
          SET access_count = l.access_count + 1, last_accessed_at = $3
         FROM documents d
        WHERE l.organization_id = $1 AND l.token_hash = $2 AND l.revoked_at IS NULL
          AND l.expires_at > $3 AND d.id = l.document_id AND d.organization_id = $1
          AND d.deleted_at IS NULL
        RETURNING l.id, l.document_id, l.token_hash, l.expires_at, l.revoked_at, l.created_by,
          l.access_count, l.last_accessed_at, l.created_at`,
      [orgId, tokenHash, now],
    );
    return row;
  }
}
