import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { TIMELINE_DEFAULT_LIMIT, TIMELINE_MAX_LIMIT } from './timeline.service';

/** `?cursor=&limit=` of `GET /timeline/{type}/{id}`. */
export class TimelineQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page', maxLength: 4096 })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  cursor?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: TIMELINE_MAX_LIMIT,
    default: TIMELINE_DEFAULT_LIMIT,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(TIMELINE_MAX_LIMIT)
  limit?: number;
}

/** One timeline entry. */
export class TimelineEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['comment', 'field_change', 'attachment', 'activity_done', 'transition'] })
  kind: string;
  @ApiProperty({ description: 'ISO-8601 UTC with microseconds' }) at: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) actorUserId: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'field_change: { action, changes }; attachment: { fileId, name, contentType, size }; others per source',
  })
  data: Record<string, unknown>;
}

/** A page of a record's timeline, newest first. */
export class TimelinePageDto {
  @ApiProperty({ type: [TimelineEntryDto] }) items: TimelineEntryDto[];
  @ApiPropertyOptional({
    description: 'Pass as ?cursor= for older entries; absent on the last page',
  })
  nextCursor?: string;
}
