import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { NormalizedName } from '../../../core/text';
import { MAX_TAGS_PER_RECORD, TAG_NAME_PATTERN, TAG_NAME_RULE, TagNames } from '../tag-names';

const COLOR = /^#[0-9a-fA-F]{6}$/;
const ENTITY_TYPE = /^[a-z][a-z-]{0,49}$/;

/** One tag of the organization. */
export class TagDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'As first spelled (1-50 characters)' }) name: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Colour `#rrggbb` (lower-case), or null',
    example: '#1e90ff',
  })
  color: string | null;
  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'The target types the tag may be used on; null: any',
    example: ['product', 'contact'],
  })
  entityTypes: string[] | null;
  @ApiProperty({
    description: 'How many records carry the tag (of `entityType` when the list is filtered by it)',
  })
  count: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty() version: number;
}

export class CreateTagDto {
  @NormalizedName()
  @ApiProperty({
    minLength: 1,
    maxLength: 50,
    description:
      'Unique in the organization ignoring case and Unicode form (Café = CAFE\u0301 = ｃａｆé): 409 `tag_name_taken`. No comma, "|" or control character',
  })
  @IsString()
  @Length(1, 50)
  @Matches(TAG_NAME_PATTERN, { message: TAG_NAME_RULE })
  name: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    pattern: COLOR.source,
    description: 'Colour `#rrggbb` (stored lower-case)',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(COLOR, { message: 'color must be #rrggbb' })
  color?: string | null;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    minItems: 1,
    maxItems: 20,
    description:
      'Registered target types the tag may be used on (422 `invalid_entity_type` otherwise); null or absent: any; an empty list (a tag usable nowhere) → 422',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @Matches(ENTITY_TYPE, { each: true, message: 'each entity type must be a registered type' })
  entityTypes?: string[] | null;
}

/** Rename, recolour or re-scope a tag (absent fields keep their value). */
export class UpdateTagDto {
  @NormalizedName()
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 50,
    description: 'The new name (taggings are kept); unique as on create (409 `tag_name_taken`)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  @Matches(TAG_NAME_PATTERN, { message: TAG_NAME_RULE })
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, pattern: COLOR.source })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(COLOR, { message: 'color must be #rrggbb' })
  color?: string | null;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    minItems: 1,
    maxItems: 20,
    description:
      'Registered target types; a type the tag is still used on cannot be dropped (422 `entity_type_in_use`); null: any; an empty list → 422',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @Matches(ENTITY_TYPE, { each: true, message: 'each entity type must be a registered type' })
  entityTypes?: string[] | null;
}

export class MergeTagDto {
  @ApiProperty({
    description:
      'The tag that receives the taggings; this one is deleted (one transaction). Its allowed entity types must cover the moved taggings',
  })
  @IsUUID()
  targetId: string;
}

/** A record's tags (request and response of `/taggings/{type}/{id}`). */
export class TaggingsDto {
  @NormalizedName()
  @ApiProperty({
    type: [String],
    maxItems: MAX_TAGS_PER_RECORD,
    example: ['organic', 'tea'],
    description: `The record's tags, replacing the ones it has. Names resolve to existing tags ignoring case and Unicode form; an unknown name creates a tag with tags:create, else 422 \`unknown_tag\`. At most ${MAX_TAGS_PER_RECORD}; ${TAG_NAME_RULE}`,
  })
  @TagNames()
  tags: string[];
}
