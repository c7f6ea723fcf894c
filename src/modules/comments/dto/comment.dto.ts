import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';

const ENTITY_TYPE = /^[a-z][a-z0-9-]{0,49}$/;
const BODY =
  'Markdown, 1–10,000 characters (code points), stored raw and never rendered by the server. ' +
  'Mentions are written `@[Name](user:<uuid>)`; each mentioned user must be an active member ' +
  'who can read the target (else 422 `invalid_mention` at `/body`), at most 50 people. ' +
  'It must hold something visible: only spaces, line breaks or zero-width characters → 422.';

/** Some character that is not white space nor a zero-width one (ZWSP, ZWNJ, ZWJ, WJ, BOM). */
const VISIBLE = /[^\s\u200B-\u200D\u2060\uFEFF]/u;
const VISIBLE_MESSAGE = { message: 'body must contain visible text' };

/** `GET /comments` query: one target's thread, newest root first. */
export class CommentQueryDto {
  @ApiProperty({
    description: 'A registered target type (`product`, `contact`, …); unknown → 404',
    example: 'product',
  })
  @Matches(ENTITY_TYPE, { message: 'entityType must be a target type such as product' })
  entityType: string;

  @ApiProperty({ format: 'uuid' }) @IsUUID() entityId: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: '`nextCursor` of the previous page: roots older than it',
  })
  @IsOptional()
  @IsUUID()
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50, description: 'Roots per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class CreateCommentDto {
  @ApiProperty({
    description: 'A registered target type; unknown → 404',
    example: 'product',
  })
  @Matches(ENTITY_TYPE, { message: 'entityType must be a target type such as product' })
  entityType: string;

  @ApiProperty({ format: 'uuid' }) @IsUUID() entityId: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Reply to this comment of the same target (a reply to a reply attaches to its root); another target → 422 `invalid_parent`',
  })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @ApiProperty({ description: BODY, minLength: 1, maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  @Matches(VISIBLE, VISIBLE_MESSAGE)
  body: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 10,
    description: 'Ready files of this organization (else 422 `invalid_attachment`), at most 10',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true })
  fileIds?: string[];
}

export class UpdateCommentDto {
  @ApiPropertyOptional({ description: BODY, minLength: 1, maxLength: 10000 })
  @IsOptional()
  @IsString()
  @Length(1, 10000)
  @Matches(VISIBLE, VISIBLE_MESSAGE)
  body?: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 10,
    description: 'Replaces the attached files (ready files of this organization, at most 10)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true })
  fileIds?: string[];
}

export class ReactionSummaryDto {
  @ApiProperty({ example: '👍' }) emoji: string;
  @ApiProperty() count: number;
  @ApiProperty({ description: 'Whether the caller reacted so' }) reactedByMe: boolean;
}

/** One comment (a root without its replies, or a reply). */
export class CommentItemDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() entityType: string;
  @ApiProperty({ format: 'uuid' }) entityId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentId: string | null;
  @ApiProperty({ format: 'uuid' }) authorUserId: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Raw markdown; null for a deleted comment (a tombstone kept for its replies)',
  })
  body: string | null;
  @ApiProperty({ type: [String], format: 'uuid' }) mentionedUserIds: string[];
  @ApiProperty({ type: [String], format: 'uuid', description: 'Attached files, in order' })
  fileIds: string[];
  @ApiProperty({ type: [ReactionSummaryDto] }) reactions: ReactionSummaryDto[];
  @ApiProperty({
    enum: ['visible', 'hidden'],
    description: 'Hidden comments are listed to moderators only',
  })
  status: 'visible' | 'hidden';
  @ApiProperty({ description: 'A tombstone: deleted while it had replies' }) deleted: boolean;
  @ApiProperty({ nullable: true, type: String }) editedAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

/** A root comment with its replies (oldest reply first). */
export class CommentThreadDto extends CommentItemDto {
  @ApiProperty({ type: [CommentItemDto] }) replies: CommentItemDto[];
}

export class CommentPageDto {
  @ApiProperty({ type: [CommentThreadDto], description: 'Root comments, newest first' })
  items: CommentThreadDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `?cursor=` for the next (older) page; null on the last page',
  })
  nextCursor: string | null;
}
