import { VisibleText } from '../../../core/text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayUnique, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { SEARCH_TYPES, type SearchType } from '../searchable';

export class SearchQueryDto {
  @VisibleText()
  @ApiProperty({
    example: 'wireless keyb',
    description:
      'Web search syntax: words (each a prefix), "exact phrase", -excluded, or. Accents and Unicode forms are folded on both sides: "cafe", "café" and its NFD form (e + U+0301) all find "Café". Typos are forgiven when nothing matches exactly.',
  })
  @IsString()
  @Length(1, 200)
  q: string;

  @ApiPropertyOptional({
    example: 'products,contacts',
    description: `Comma-separated, of: ${SEARCH_TYPES.join(', ')} (default: every type you may read)`,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value,
  )
  @ArrayUnique()
  @IsIn(SEARCH_TYPES, { each: true, message: `types must be of: ${SEARCH_TYPES.join(', ')}` })
  types?: SearchType[];

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}

export class SearchHitDto {
  @ApiProperty({ enum: SEARCH_TYPES }) type: string;
  @ApiProperty() id: string;
  @ApiProperty({ example: 'Wireless Keyboard' }) title: string;
  @ApiProperty({ type: String, nullable: true, example: 'KB-100' }) subtitle: string | null;
  @ApiProperty({
    example: '&lt;b&gt; <mark>Wireless</mark> <mark>Keyboard</mark>',
    description:
      'The title as HTML: HTML-escaped; only <mark> added (around matched words, accents folded). Safe to render as HTML.',
  })
  highlight: string;
  @ApiProperty({ description: 'Relevance; higher first (comparable within one answer only)' })
  score: number;
}

export class SearchResultDto {
  @ApiProperty({ type: [SearchHitDto] }) items: SearchHitDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'wireless keyboard',
    description: 'The query run instead when nothing matched and typos were corrected',
  })
  correctedQuery: string | null;
  @ApiProperty({ enum: SEARCH_TYPES, isArray: true }) types: string[];
  @ApiProperty({ enum: ['postgres', 'elasticsearch'] }) backend: string;
}
