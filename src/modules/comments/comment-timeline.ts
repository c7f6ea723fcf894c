import { Injectable, OnModuleInit } from '@nestjs/common';
import { TimelineSources } from '../timeline';
import { CommentsRepository } from './comments.repository';

/**
 * Registers the `comment` timeline source (SPEC-P3 §3): a record's visible comments, newest first,
 * `data` = `{ commentId, parentId, excerpt, edited }` (the raw markdown's first 280 characters,
 * never rendered). Reading the target is enough to see them, as on `GET /comments`.
 */
@Injectable()
export class CommentTimelineSource implements OnModuleInit {
  constructor(
    private readonly sources: TimelineSources,
    private readonly repository: CommentsRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register({
      kind: 'comment',
      readPermission: 'comments:read',
      page: async (manager, orgId, target, before, limit) =>
        (
          await this.repository.timelinePage(
            manager,
            orgId,
            target.entityType,
            target.entityId,
            before,
            limit,
          )
        ).map((row) => ({
          id: row.id,
          kind: 'comment' as const,
          at: row.at,
          actorUserId: row.author_user_id,
          data: {
            commentId: row.id,
            parentId: row.parent_id,
            excerpt: row.excerpt,
            edited: row.edited,
          },
        })),
    });
  }
}
