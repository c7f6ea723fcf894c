import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  HttpCode,
  HttpStatus,
  Param,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  CurrentUserId,
  Principal,
  RequirePermissions,
  RequireUser,
} from '../../core/auth';
import {
  ActionRoute,
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import { CommentsErrors } from './comments.errors';
import { CommentCaller, CommentsService } from './comments.service';
import { isEmoji } from './comment-text';
import {
  CommentItemDto,
  CommentPageDto,
  CommentQueryDto,
  CreateCommentDto,
  UpdateCommentDto,
} from './dto/comment.dto';

const callerOf = (principal: Principal, userId: string): CommentCaller => ({
  userId,
  permissions: principal.permissions,
});

/** A path `emoji` that is one emoji (else 422 `invalid_emoji`, naming the parameter). */
const emojiOf = (raw: string): string => {
  if (!isEmoji(raw)) throw CommentsErrors.invalid_emoji();
  return raw;
};

/** `PUT|DELETE /comments/{id}/reactions/{emoji}`: the contract both reaction routes share. */
const ReactionRoute = (method: typeof Put | typeof Delete, summary: string) =>
  applyDecorators(
    method(':id/reactions/:emoji'),
    HttpCode(HttpStatus.NO_CONTENT),
    RequirePermissions('comments:create'),
    RequireUser(),
    ApiOperation({ summary }),
    ApiParam({ name: 'emoji', description: 'One emoji, URL-encoded (else 422 `invalid_emoji`)' }),
    ApiNoContentResponse(),
    ApiUnprocessableEntityResponse({ description: '`invalid_emoji`', type: ErrorEnvelopeDto }),
    ApiConflictResponse({ description: '`comment_deleted`', type: ErrorEnvelopeDto }),
  );

@ApiTags('comments')
@ApiNotFoundResponse({
  description: 'Comment or target not in this organization, or not readable by the caller',
  type: ErrorEnvelopeDto,
})
@Controller('comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  @ReadRoute(
    'comments:read',
    "A target's comments: root comments newest first (cursor paged), each with its replies oldest first; also needs the target's read permission",
    CommentPageDto,
    '',
  )
  list(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @Query() query: CommentQueryDto,
  ): Promise<CommentPageDto> {
    return this.comments.list(
      orgId,
      principal,
      { entityType: query.entityType, entityId: query.entityId },
      query.cursor ?? null,
      query.limit,
    );
  }

  @CreateRoute(
    'comments',
    'comments:create',
    "Comment on a target the caller can read, or reply to a comment (needs the target's read permission, not its update permission)",
    CommentItemDto,
  )
  @RequireUser()
  @ApiUnprocessableEntityResponse({
    description: '`invalid_parent`, `invalid_mention`, `too_many_mentions`, `invalid_attachment`',
    type: ErrorEnvelopeDto,
  })
  create(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @Body() dto: CreateCommentDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<CommentItemDto> {
    return this.comments.create(orgId, callerOf(principal, userId), dto, context);
  }

  @UpdateRoute(
    'comments:create',
    'Edit your own comment (body re-parsed for mentions, files replaced when sent); sets editedAt',
    CommentItemDto,
  )
  @RequireUser()
  @ApiConflictResponse({ description: '`comment_deleted`', type: ErrorEnvelopeDto })
  update(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Body() dto: UpdateCommentDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<CommentItemDto> {
    return this.comments.update(orgId, callerOf(principal, userId), id, dto, version, context);
  }

  @DeleteRoute(
    'comments:create',
    'Delete your comment (or anyone’s with comments:moderate): a tombstone while it has replies',
  )
  @RequireUser()
  @ApiConflictResponse({ description: '`comment_deleted`', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.comments.delete(orgId, callerOf(principal, userId), id, version, context);
  }

  @ActionRoute(
    ':id/hide',
    'comments:moderate',
    'Hide a comment from non-moderators',
    CommentItemDto,
  )
  @RequireUser()
  @ApiConflictResponse({ description: '`comment_deleted`', type: ErrorEnvelopeDto })
  hide(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<CommentItemDto> {
    return this.comments.setHidden(orgId, callerOf(principal, userId), id, true, version, context);
  }

  @ActionRoute(':id/unhide', 'comments:moderate', 'Show a hidden comment again', CommentItemDto)
  @RequireUser()
  @ApiConflictResponse({ description: '`comment_deleted`', type: ErrorEnvelopeDto })
  unhide(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<CommentItemDto> {
    return this.comments.setHidden(orgId, callerOf(principal, userId), id, false, version, context);
  }

  @ReactionRoute(Put, 'React to a comment with one emoji (idempotent)')
  async react(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Param('emoji') emoji: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    const valid = emojiOf(emoji);
    await this.comments.react(orgId, callerOf(principal, userId), id, valid, true, context);
  }

  @ReactionRoute(Delete, 'Take back your reaction (idempotent)')
  async unreact(
    @ActiveOrganization() orgId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentUserId() userId: string,
    @IdParam() id: string,
    @Param('emoji') emoji: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    const valid = emojiOf(emoji);
    await this.comments.react(orgId, callerOf(principal, userId), id, valid, false, context);
  }
}
