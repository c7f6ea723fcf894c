import { conflict, defineErrors, failure, forbidden, rule } from '../../core/http';

/** The comments module's error codes (README "Error codes"). */
export const CommentsErrors = defineErrors({
  invalid_parent: rule(() => ({
    detail: 'parentId must be a comment on the same target',
    pointer: '/parentId',
  })),
  invalid_mention: rule((userId: string) => ({
    detail: `The mentioned user ${userId} is not an active member who can read this record`,
    pointer: '/body',
    meta: { userId },
  })),
  too_many_mentions: rule((max: number) => ({
    detail: `A comment mentions at most ${max} people`,
    pointer: '/body',
    meta: { max },
  })),
  invalid_attachment: rule((fileId: string) => ({
    detail: `File ${fileId} is not a ready file of this organization`,
    pointer: '/fileIds',
    meta: { fileId },
  })),
  invalid_emoji: failure(422, () => ({
    detail: 'The reaction must be a single emoji',
    source: { parameter: 'emoji' },
  })),
  not_author: forbidden(() => 'Only the author may edit a comment'),
  not_author_or_moderator: forbidden(
    () => 'Only the author or a moderator (comments:moderate) may delete a comment',
  ),
  comment_deleted: conflict(() => 'The comment was deleted; only its replies remain'),
});
