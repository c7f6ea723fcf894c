import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  deleteTenantRow,
  returningRows,
  selectTenantRow,
  updateVersioned,
  historyPageConditions,
  utcMicros,
} from '../../core/database';

/** A `comments` row as selected by {@link CommentsRepository}. */
export interface CommentRow {
  id: string;
  entity_type: string;
  entity_id: string;
  parent_id: string | null;
  author_user_id: string;
  body: string | null;
  mentioned_user_ids: string[];
  status: 'visible' | 'hidden';
  edited_at: Date | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** Reactions to one comment, grouped by emoji. */
export interface ReactionSummaryRow {
  comment_id: string;
  emoji: string;
  count: number;
  mine: boolean;
}

const COLUMNS = `id, entity_type, entity_id, parent_id, author_user_id, body, mentioned_user_ids,
  status, edited_at, deleted_at, created_at, updated_at, version`;

/**
 * The only SQL on `comments`, `comment_attachments` and `comment_reactions`. Every method takes
 * the caller's transaction manager and the organization id first, puts the organization id in
 * every WHERE and opens no transaction.
 */
@Injectable()
export class CommentsRepository {
  /** The comment, or undefined when the organization has none with that id. */
  find(
    manager: EntityManager,
    orgId: string,
    id: string,
    forUpdate = false,
  ): Promise<CommentRow | undefined> {
    return selectTenantRow<CommentRow>(manager, 'comments', COLUMNS, orgId, id, { forUpdate });
  }

  /**
   * Root comments of one target, newest first, strictly older (by id: UUID v7, time-ordered) than
   * `before`, at most `limit`; hidden ones only when `withHidden`.
   */
  roots(
    manager: EntityManager,
    orgId: string,
    target: { entityType: string; entityId: string },
    before: string | null,
    limit: number,
    withHidden: boolean,
  ): Promise<CommentRow[]> {
    return manager.query<CommentRow[]>(
      `SELECT ${COLUMNS} FROM comments
        WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3 AND parent_id IS NULL
          AND ($4::uuid IS NULL OR id < $4) AND ($5 OR status = 'visible')
        ORDER BY id DESC LIMIT $6`,
      [orgId, target.entityType, target.entityId, before, withHidden, limit],
    );
  }

  /** The replies of `rootIds`, oldest first; hidden ones only when `withHidden`. */
  replies(
    manager: EntityManager,
    orgId: string,
    rootIds: string[],
    withHidden: boolean,
  ): Promise<CommentRow[]> {
    if (rootIds.length === 0) return Promise.resolve([]);
    return manager.query<CommentRow[]>(
      `SELECT ${COLUMNS} FROM comments
        WHERE organization_id = $1 AND parent_id = ANY ($2::uuid[]) AND ($3 OR status = 'visible')
        ORDER BY id`,
      [orgId, rootIds, withHidden],
    );
  }

  /** How many replies hang off the comment. */
  async replyCount(manager: EntityManager, orgId: string, id: string): Promise<number> {
    const [row] = await manager.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM comments WHERE organization_id = $1 AND parent_id = $2',
      [orgId, id],
    );
    return row.n;
  }

  /** Inserts a comment and returns its row as `find` would (one statement). */
  async insert(
    manager: EntityManager,
    orgId: string,
    row: {
      id: string;
      entityType: string;
      entityId: string;
      parentId: string | null;
      authorUserId: string;
      body: string;
      mentionedUserIds: string[];
    },
  ): Promise<CommentRow> {
    const [inserted] = await manager.query<CommentRow[]>(
      `INSERT INTO comments (id, organization_id, entity_type, entity_id, parent_id, author_user_id, body, mentioned_user_ids)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       RETURNING ${COLUMNS}`,
      [
        row.id,
        orgId,
        row.entityType,
        row.entityId,
        row.parentId,
        row.authorUserId,
        row.body,
        row.mentionedUserIds,
      ],
    );
    return inserted;
  }

  /** New body and mentions at `version` (412 when the row moved on); marks it edited at `at`. */
  updateBody(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    body: string,
    mentionedUserIds: string[],
    at: Date,
  ): Promise<CommentRow> {
    return updateVersioned<CommentRow>(manager, {
      table: 'comments',
      organizationId: orgId,
      id,
      version,
      set: 'body = $4, mentioned_user_ids = $5, edited_at = $6',
      values: [body, mentionedUserIds, at],
      returning: COLUMNS,
    });
  }

  /** Hides or shows the comment at `version` (412 when the row moved on). */
  setStatus(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    status: 'visible' | 'hidden',
  ): Promise<CommentRow> {
    return updateVersioned<CommentRow>(manager, {
      table: 'comments',
      organizationId: orgId,
      id,
      version,
      set: 'status = $4',
      values: [status],
      returning: COLUMNS,
    });
  }

  /** Turns the comment into a tombstone: no body, mentions, files or reactions; `deleted_at` set. */
  async tombstone(manager: EntityManager, orgId: string, id: string, at: Date): Promise<void> {
    await this.replaceAttachments(manager, orgId, id, []);
    await manager.query(
      'DELETE FROM comment_reactions WHERE organization_id = $1 AND comment_id = $2',
      [orgId, id],
    );
    await manager.query(
      `UPDATE comments SET body = NULL, mentioned_user_ids = '{}', deleted_at = $3,
              version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [orgId, id, at],
    );
  }

  /** Deletes the comment (its files, reactions and replies go by cascade). */
  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'comments', orgId, id);
  }

  /** Deletes every comment of one target (with their files, reactions, replies). */
  async deleteForTarget(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
  ): Promise<void> {
    await manager.query(
      'DELETE FROM comments WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3',
      [orgId, entityType, entityId],
    );
  }

  /** Replaces the files of a comment with `fileIds`, in that order. */
  async replaceAttachments(
    manager: EntityManager,
    orgId: string,
    commentId: string,
    fileIds: string[],
  ): Promise<void> {
    await manager.query(
      'DELETE FROM comment_attachments WHERE organization_id = $1 AND comment_id = $2',
      [orgId, commentId],
    );
    if (fileIds.length === 0) return;
    await manager.query(
      `INSERT INTO comment_attachments (organization_id, comment_id, file_id, position)
       SELECT $1, $2, file_id, position::int - 1 FROM unnest($3::uuid[]) WITH ORDINALITY AS f (file_id, position)`,
      [orgId, commentId, fileIds],
    );
  }

  /** The file ids of each comment in `commentIds`, in their order. */
  async attachments(
    manager: EntityManager,
    orgId: string,
    commentIds: string[],
  ): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (commentIds.length === 0) return result;
    const rows = await manager.query<{ comment_id: string; file_id: string }[]>(
      `SELECT comment_id, file_id FROM comment_attachments
        WHERE organization_id = $1 AND comment_id = ANY ($2::uuid[]) ORDER BY comment_id, position`,
      [orgId, commentIds],
    );
    for (const row of rows) {
      result.set(row.comment_id, [...(result.get(row.comment_id) ?? []), row.file_id]);
    }
    return result;
  }

  /** Reactions of `commentIds` grouped by emoji (first reacted first), with whether `userId` is among them. */
  reactions(
    manager: EntityManager,
    orgId: string,
    commentIds: string[],
    userId: string | null,
  ): Promise<ReactionSummaryRow[]> {
    if (commentIds.length === 0) return Promise.resolve([]);
    return manager.query<ReactionSummaryRow[]>(
      `SELECT comment_id, emoji, count(*)::int AS count, coalesce(bool_or(user_id = $3), false) AS mine
         FROM comment_reactions
        WHERE organization_id = $1 AND comment_id = ANY ($2::uuid[])
        GROUP BY comment_id, emoji ORDER BY comment_id, min(created_at), emoji`,
      [orgId, commentIds, userId],
    );
  }

  /** Adds a reaction; false when the user had already reacted so (idempotent). */
  async addReaction(
    manager: EntityManager,
    orgId: string,
    commentId: string,
    userId: string,
    emoji: string,
  ): Promise<boolean> {
    const rows = await returningRows<unknown>(
      manager,
      `INSERT INTO comment_reactions (organization_id, comment_id, user_id, emoji)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
      [orgId, commentId, userId, emoji],
    );
    return rows.length > 0;
  }

  /** Removes a reaction; false when there was none. */
  async removeReaction(
    manager: EntityManager,
    orgId: string,
    commentId: string,
    userId: string,
    emoji: string,
  ): Promise<boolean> {
    const rows = await returningRows<unknown>(
      manager,
      `DELETE FROM comment_reactions
        WHERE organization_id = $1 AND comment_id = $2 AND user_id = $3 AND emoji = $4 RETURNING 1`,
      [orgId, commentId, userId, emoji],
    );
    return rows.length > 0;
  }

  /**
   * One page of a target's visible comments for its timeline: newest first, strictly older than
   * `before` in (created_at DESC, id DESC), at most `limit` (index `ix_comments_timeline`). Hidden
   * and deleted comments, and replies in a hidden root's thread, are not history anyone should
   * read there.
   */
  timelinePage(
    manager: EntityManager,
    orgId: string,
    entityType: string,
    entityId: string,
    before: { at: string; id: string } | null,
    limit: number,
  ): Promise<CommentTimelineRow[]> {
    const where = historyPageConditions('c', 'created_at', orgId, { entityType, entityId }, before)
      .add(`c.status = 'visible'`)
      .add('c.deleted_at IS NULL')
      // A reply in a hidden thread is hidden with its root.
      .add(
        `NOT EXISTS (SELECT 1 FROM comments r
                      WHERE r.organization_id = c.organization_id AND r.id = c.parent_id
                        AND r.status = 'hidden')`,
      );
    return manager.query<CommentTimelineRow[]>(
      `SELECT c.id, ${utcMicros('c.created_at')} AS at, c.author_user_id, c.parent_id,
              left(c.body, 280) AS excerpt, c.edited_at IS NOT NULL AS edited
         FROM comments c WHERE ${where.sql}
        ORDER BY c.created_at DESC, c.id DESC LIMIT ${Number(limit)}`,
      where.params,
    );
  }
}

/** One comment as a record's timeline shows it (`timelinePage`). */
export interface CommentTimelineRow {
  id: string;
  /** `created_at` as exact UTC text with microseconds. */
  at: string;
  author_user_id: string;
  parent_id: string | null;
  /** The first 280 characters of the raw markdown. */
  excerpt: string;
  edited: boolean;
}
