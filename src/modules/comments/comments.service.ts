import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { iso } from '../../core/database';
import { assertVersionMatches, ExpectedVersion, NotFoundError } from '../../core/http';
import { TargetDefinition, TargetRegistry } from '../../core/targets';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { AuditEntry, AuditService } from '../audit';
import { FilesService } from '../files';
import { readersRoom, RealtimePublisher } from '../realtime';
import { UserAccountsService } from '../users';
import { excerptOf, MAX_MENTIONS, parseMentions } from './comment-text';
import { CommentRow, CommentsRepository, ReactionSummaryRow } from './comments.repository';
import { CommentsErrors } from './comments.errors';
import type {
  CommentItemDto,
  CommentPageDto,
  CommentThreadDto,
  CreateCommentDto,
  UpdateCommentDto,
} from './dto/comment.dto';

/** Who is acting: the caller's user id and permission set in the active organization. */
export interface CommentCaller {
  userId: string;
  permissions: ReadonlySet<string>;
}

/** The permission that lets a caller see hidden comments, hide them and delete anyone's. */
export const MODERATE = 'comments:moderate';

/**
 * An audit entry with the domain event it publishes (`AuditEntry.event`, added by the
 * domain-events work of issue 17 §2): typed here so these calls compile before and after it lands.
 */
type EventfulEntry = AuditEntry & {
  event?: { data?: Record<string, unknown>; type?: string; skip?: boolean };
};

type Target = { entityType: string; entityId: string };

const DEFAULT_LIMIT = 50;

/** A comment row with its files (in order) and reaction summary, as the API returns it. */
const toItem = (
  row: CommentRow,
  fileIds: string[],
  reactions: CommentItemDto['reactions'],
): CommentItemDto => ({
  id: row.id,
  entityType: row.entity_type,
  entityId: row.entity_id,
  parentId: row.parent_id,
  authorUserId: row.author_user_id,
  body: row.body,
  mentionedUserIds: row.mentioned_user_ids,
  fileIds,
  reactions,
  status: row.status,
  deleted: row.deleted_at !== null,
  editedAt: iso(row.edited_at),
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/**
 * Comments on registered targets (SPEC-P3 §3). Reading needs the target's read permission;
 * writing needs `comments:create` and read on the target (readers may comment, as in Odoo's
 * chatter: no update permission on the target is needed). Every write is audited with its
 * `comment.*` domain event, and announced over realtime to the target type's readers after commit.
 */
@Injectable()
export class CommentsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: CommentsRepository,
    private readonly audit: AuditService,
    private readonly targets: TargetRegistry,
    private readonly access: AccessService,
    private readonly accounts: UserAccountsService,
    private readonly files: FilesService,
    private readonly realtime: RealtimePublisher,
    private readonly clock: Clock,
  ) {}

  /**
   * One page of a target's thread: root comments newest first (keyset on their UUID v7 id; the
   * cursor is the last root's id), each with all its replies oldest first. Hidden comments only
   * for moderators (a hidden root hides its thread from others); tombstones have `deleted: true`
   * and no body. 404 for an unknown type or a missing, other-tenant or unreadable target.
   */
  list(
    orgId: string,
    caller: { userId: string | null; permissions: ReadonlySet<string> },
    target: Target,
    cursor: string | null,
    limit = DEFAULT_LIMIT,
  ): Promise<CommentPageDto> {
    // Read path: one round trip per statement (no BEGIN/COMMIT), RLS as in `run` (SPEC §8).
    return this.db.read(orgId, async (manager) => {
      await this.targets.assertReadable(
        manager,
        orgId,
        caller.permissions,
        target.entityType,
        target.entityId,
      );
      const withHidden = caller.permissions.has(MODERATE);
      const roots = await this.repository.roots(
        manager,
        orgId,
        target,
        cursor,
        limit + 1,
        withHidden,
      );
      const page = roots.slice(0, limit);
      const replies = await this.repository.replies(
        manager,
        orgId,
        page.map((r) => r.id),
        withHidden,
      );
      const items = await this.toDtos(manager, orgId, [...page, ...replies], caller.userId);
      const byId = new Map(items.map((item) => [item.id, item]));
      return {
        items: page.map((root): CommentThreadDto => ({
          ...byId.get(root.id)!,
          replies: replies.filter((r) => r.parent_id === root.id).map((r) => byId.get(r.id)!),
        })),
        nextCursor: roots.length > limit ? page[page.length - 1].id : null,
      };
    });
  }

  /**
   * Posts a comment (or a reply) on a target the caller may read. 404 for the target as `list`;
   * 422 `invalid_parent` (parent not on this target), `invalid_mention`, `too_many_mentions`,
   * `invalid_attachment`. Publishes `comment.created` with target, parentId, mentioned users and
   * a 140-character excerpt.
   */
  async create(
    orgId: string,
    caller: CommentCaller,
    dto: CreateCommentDto,
    context: AuditContext,
  ): Promise<CommentItemDto> {
    const target = { entityType: dto.entityType, entityId: dto.entityId };
    const created = await this.db.run(orgId, async (manager) => {
      const definition = await this.targets.assertAccessible(
        manager,
        orgId,
        caller.permissions,
        target.entityType,
        target.entityId,
      );
      const parentId = dto.parentId
        ? await this.rootOf(manager, orgId, caller, target, dto.parentId)
        : null;
      const mentioned = await this.checkMentions(orgId, definition, dto.body);
      const fileIds = await this.checkFiles(manager, orgId, dto.fileIds ?? []);
      const id = uuidv7();
      const row = await this.repository.insert(manager, orgId, {
        id,
        entityType: target.entityType,
        entityId: target.entityId,
        parentId,
        authorUserId: caller.userId,
        body: dto.body,
        mentionedUserIds: mentioned,
      });
      // A new comment has no files and no reactions yet: nothing to delete, nothing to reload.
      if (fileIds.length > 0) await this.repository.replaceAttachments(manager, orgId, id, fileIds);
      const entry: EventfulEntry = {
        organizationId: orgId,
        action: 'create',
        entityType: 'comment',
        entityId: id,
        changes: { ...target, parentId, mentionedUserIds: mentioned, fileIds },
        context,
        event: {
          data: { target, parentId, mentionedUserIds: mentioned, excerpt: excerptOf(dto.body) },
        },
      };
      await this.audit.record(manager, entry);
      return toItem(row, fileIds, []);
    });
    this.announce(orgId, 'comment.created', created);
    return created;
  }

  /**
   * The author changes the body (mentions parsed again) and/or the files; `If-Match` honoured
   * (412). 403 `not_author` for anyone else, 409 `comment_deleted` for a tombstone, 404 when the
   * comment (or, for a non-moderator, a hidden one) or its target is not visible to the caller.
   * Publishes `comment.updated` with `newlyMentionedUserIds`. A change to nothing writes nothing.
   */
  async update(
    orgId: string,
    caller: CommentCaller,
    id: string,
    dto: UpdateCommentDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<CommentItemDto> {
    let changed = false;
    const updated = await this.db.run(orgId, async (manager) => {
      const { row, definition } = await this.visible(manager, orgId, caller, id, true);
      assertVersionMatches(expectedVersion, row.version);
      if (row.author_user_id !== caller.userId) throw CommentsErrors.not_author();
      if (row.deleted_at) throw CommentsErrors.comment_deleted();
      const body = dto.body ?? row.body!;
      const mentioned = await this.checkMentions(orgId, definition, body);
      const before = (await this.repository.attachments(manager, orgId, [id])).get(id) ?? [];
      const fileIds =
        dto.fileIds === undefined ? before : await this.checkFiles(manager, orgId, dto.fileIds);
      const filesChanged = fileIds.join() !== before.join();
      if (body === row.body && !filesChanged) return this.one(manager, orgId, id, caller.userId);
      changed = true;
      await this.repository.updateBody(
        manager,
        orgId,
        id,
        row.version,
        body,
        mentioned,
        this.clock.now(),
      );
      if (filesChanged) await this.repository.replaceAttachments(manager, orgId, id, fileIds);
      const target = { entityType: row.entity_type, entityId: row.entity_id };
      const newly = mentioned.filter((userId) => !row.mentioned_user_ids.includes(userId));
      const entry: EventfulEntry = {
        organizationId: orgId,
        action: 'update',
        entityType: 'comment',
        entityId: id,
        changes: {
          ...(body !== row.body ? { body: { length: [...body].length } } : {}),
          ...(mentioned.join() !== row.mentioned_user_ids.join()
            ? { mentionedUserIds: mentioned }
            : {}),
          ...(filesChanged ? { fileIds } : {}),
        },
        context,
        event: {
          data: {
            target,
            parentId: row.parent_id,
            mentionedUserIds: mentioned,
            newlyMentionedUserIds: newly,
            excerpt: excerptOf(body),
          },
        },
      };
      await this.audit.record(manager, entry);
      return this.one(manager, orgId, id, caller.userId);
    });
    if (changed) this.announce(orgId, 'comment.updated', updated);
    return updated;
  }

  /**
   * The author or a moderator deletes a comment (`If-Match` honoured): a tombstone (no body,
   * files or reactions) while it has replies, else the row goes — and a tombstoned root whose last
   * reply goes is removed with it. 403 `not_author_or_moderator` for others.
   */
  async delete(
    orgId: string,
    caller: CommentCaller,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    const row = await this.db.run(orgId, async (manager) => {
      const { row } = await this.visible(manager, orgId, caller, id, true);
      assertVersionMatches(expectedVersion, row.version);
      if (row.author_user_id !== caller.userId && !caller.permissions.has(MODERATE)) {
        throw CommentsErrors.not_author_or_moderator();
      }
      if (row.deleted_at) throw CommentsErrors.comment_deleted();
      const replies = await this.repository.replyCount(manager, orgId, id);
      if (replies > 0) {
        await this.repository.tombstone(manager, orgId, id, this.clock.now());
      } else {
        await this.repository.delete(manager, orgId, id);
        if (row.parent_id) await this.removeEmptyTombstone(manager, orgId, row.parent_id);
      }
      const target = { entityType: row.entity_type, entityId: row.entity_id };
      const entry: EventfulEntry = {
        organizationId: orgId,
        action: 'delete',
        entityType: 'comment',
        entityId: id,
        changes: { ...target, authorUserId: row.author_user_id, tombstone: replies > 0 },
        context,
        event: { data: { target } },
      };
      await this.audit.record(manager, entry);
      return row;
    });
    this.announce(orgId, 'comment.deleted', {
      id,
      entityType: row.entity_type,
      entityId: row.entity_id,
      parentId: row.parent_id,
    });
  }

  /**
   * A moderator hides (`hidden: true`) or shows a comment again; `If-Match` honoured. Hiding an
   * already hidden comment (or showing a visible one) changes nothing. Publishes `comment.hidden`
   * / `comment.unhidden`.
   */
  async setHidden(
    orgId: string,
    caller: CommentCaller,
    id: string,
    hidden: boolean,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<CommentItemDto> {
    let changed = false;
    const result = await this.db.run(orgId, async (manager) => {
      const { row } = await this.visible(manager, orgId, caller, id, true);
      assertVersionMatches(expectedVersion, row.version);
      if (row.deleted_at) throw CommentsErrors.comment_deleted();
      const status = hidden ? 'hidden' : 'visible';
      if (row.status === status) return this.one(manager, orgId, id, caller.userId);
      changed = true;
      await this.repository.setStatus(manager, orgId, id, row.version, status);
      const target = { entityType: row.entity_type, entityId: row.entity_id };
      const entry: EventfulEntry = {
        organizationId: orgId,
        action: hidden ? 'hide' : 'unhide',
        entityType: 'comment',
        entityId: id,
        changes: { status: { from: row.status, to: status } },
        context,
        event: { type: hidden ? 'comment.hidden' : 'comment.unhidden', data: { target } },
      };
      await this.audit.record(manager, entry);
      return this.one(manager, orgId, id, caller.userId);
    });
    if (changed) this.announce(orgId, hidden ? 'comment.hidden' : 'comment.updated', result);
    return result;
  }

  /**
   * Adds (`on`) or removes the caller's `emoji` reaction; idempotent (a repeat changes nothing and
   * is not audited). 409 `comment_deleted` on a tombstone. Audited as `react` / `unreact` without
   * a domain event (nobody is notified of reactions).
   */
  async react(
    orgId: string,
    caller: CommentCaller,
    id: string,
    emoji: string,
    on: boolean,
    context: AuditContext,
  ): Promise<void> {
    const result = await this.db.run(orgId, async (manager) => {
      const { row } = await this.visible(manager, orgId, caller, id, false);
      if (row.deleted_at) throw CommentsErrors.comment_deleted();
      const changed = on
        ? await this.repository.addReaction(manager, orgId, id, caller.userId, emoji)
        : await this.repository.removeReaction(manager, orgId, id, caller.userId, emoji);
      if (!changed) return null;
      const entry: EventfulEntry = {
        organizationId: orgId,
        action: on ? 'react' : 'unreact',
        entityType: 'comment',
        entityId: id,
        changes: { emoji },
        context,
        event: { skip: true },
      };
      await this.audit.record(manager, entry);
      return row;
    });
    if (result) {
      this.announce(orgId, 'comment.updated', {
        id,
        entityType: result.entity_type,
        entityId: result.entity_id,
        parentId: result.parent_id,
      });
    }
  }

  /**
   * The comment and its target's definition, when the caller may see both: 404 for a missing or
   * other-tenant comment, an unreadable target, or a hidden comment (or a reply in a hidden root's
   * thread) and a non-moderator.
   */
  private async visible(
    manager: EntityManager,
    orgId: string,
    caller: CommentCaller,
    id: string,
    forUpdate: boolean,
  ): Promise<{ row: CommentRow; definition: TargetDefinition }> {
    const row = await this.repository.find(manager, orgId, id, forUpdate);
    if (
      !row ||
      (!caller.permissions.has(MODERATE) && (await this.inHiddenThread(manager, orgId, row)))
    ) {
      throw new NotFoundError('Comment');
    }
    const definition = await this.targets.assertAccessible(
      manager,
      orgId,
      caller.permissions,
      row.entity_type,
      row.entity_id,
    );
    return { row, definition };
  }

  /**
   * Whether non-moderators must not see `row`: it is hidden, or it is a reply whose root is
   * (a hidden root hides its whole thread — list, edits, reactions, replies and timeline alike).
   */
  private async inHiddenThread(
    manager: EntityManager,
    orgId: string,
    row: CommentRow,
  ): Promise<boolean> {
    if (row.status === 'hidden') return true;
    if (!row.parent_id) return false;
    const root = await this.repository.find(manager, orgId, row.parent_id);
    return root?.status === 'hidden';
  }

  /** The root a reply attaches to: `parentId`'s root, which must be on `target` (else 422). */
  private async rootOf(
    manager: EntityManager,
    orgId: string,
    caller: CommentCaller,
    target: Target,
    parentId: string,
  ): Promise<string> {
    // Locked, so a concurrent delete of the parent either waits for this reply (and tombstones)
    // or wins and the reply sees no parent (422), never a foreign-key failure.
    const parent = await this.repository.find(manager, orgId, parentId, true);
    if (
      !parent ||
      parent.entity_type !== target.entityType ||
      parent.entity_id !== target.entityId ||
      (!caller.permissions.has(MODERATE) && (await this.inHiddenThread(manager, orgId, parent)))
    ) {
      throw CommentsErrors.invalid_parent();
    }
    return parent.parent_id ?? parent.id;
  }

  /**
   * The distinct users `body` mentions, each an active member of the organization whose
   * permissions there include the target's read permission (`AccessService.resolve`); else 422
   * `invalid_mention` naming the first who is not (another tenant's user alike).
   */
  private async checkMentions(
    orgId: string,
    definition: TargetDefinition,
    body: string,
  ): Promise<string[]> {
    const mentioned = parseMentions(body);
    if (mentioned.length > MAX_MENTIONS) throw CommentsErrors.too_many_mentions(MAX_MENTIONS);
    for (const userId of mentioned) {
      const account = await this.accounts.findById(userId);
      const access =
        account && account.is_active ? await this.access.resolve(userId, orgId, false) : null;
      if (
        !access?.member ||
        !this.targets.allows(definition, new Set(access.permissions), 'read')
      ) {
        throw CommentsErrors.invalid_mention(userId);
      }
    }
    return mentioned;
  }

  /** `fileIds` without repeats, each a ready file of the organization (files' public service). */
  private async checkFiles(
    manager: EntityManager,
    orgId: string,
    fileIds: string[],
  ): Promise<string[]> {
    const distinct = [...new Set(fileIds.map((id) => id.toLowerCase()))];
    for (const fileId of distinct) {
      const file = await this.files.find(manager, orgId, fileId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      if (!file || file.status !== 'ready') throw CommentsErrors.invalid_attachment(fileId);
    }
    return distinct;
  }

  /** A tombstoned root with no replies left has nothing to keep: it goes. */
  private async removeEmptyTombstone(
    manager: EntityManager,
    orgId: string,
    rootId: string,
  ): Promise<void> {
    const root = await this.repository.find(manager, orgId, rootId);
    if (root?.deleted_at && (await this.repository.replyCount(manager, orgId, rootId)) === 0) {
      await this.repository.delete(manager, orgId, rootId);
    }
  }

  private async one(
    manager: EntityManager,
    orgId: string,
    id: string,
    userId: string | null,
  ): Promise<CommentItemDto> {
    const row = await this.repository.find(manager, orgId, id);
    if (!row) throw new NotFoundError('Comment');
    return (await this.toDtos(manager, orgId, [row], userId))[0];
  }

  private async toDtos(
    manager: EntityManager,
    orgId: string,
    rows: CommentRow[],
    userId: string | null,
  ): Promise<CommentItemDto[]> {
    const ids = rows.map((r) => r.id);
    const files = await this.repository.attachments(manager, orgId, ids);
    const reactions = await this.repository.reactions(manager, orgId, ids, userId);
    const reactionsOf = (id: string) =>
      reactions
        .filter((r: ReactionSummaryRow) => r.comment_id === id)
        .map((r) => ({ emoji: r.emoji, count: r.count, reactedByMe: r.mine }));
    return rows.map((row) => toItem(row, files.get(row.id) ?? [], reactionsOf(row.id)));
  }

  /** After commit: ids only, to the sockets of the organization that read the target's type. */
  private announce(
    orgId: string,
    event: string,
    comment: { id: string; entityType: string; entityId: string; parentId: string | null },
  ): void {
    this.realtime.toRoom(readersRoom(orgId, comment.entityType), event, {
      id: comment.id,
      entityType: comment.entityType,
      entityId: comment.entityId,
      parentId: comment.parentId,
    });
  }
}

/**
 * Comments hang off targets: registered as `TargetChildren`, so deleting a target deletes its
 * comments (with replies, files and reactions) in the same transaction (SPEC-P3 §0).
 */
@Injectable()
export class CommentChildrenRegistration implements OnModuleInit {
  constructor(
    private readonly targets: TargetRegistry,
    private readonly repository: CommentsRepository,
  ) {}

  onModuleInit(): void {
    this.targets.registerChildren({
      name: 'comments',
      deleteFor: (manager, orgId, entityType, entityId) =>
        this.repository.deleteForTarget(manager, orgId, entityType, entityId),
    });
  }
}
