import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { NormalizedName, VisibleText } from '../../../core/text';
import { SAVED_FILTER_VISIBILITIES, SavedFilterVisibility } from '../saved-filter.entity';

const RESOURCE = /^[a-z][a-z0-9-]{0,49}$/;
const FILTER_NOTE =
  'The grammar of `?filter=` (`{"and":[{"field":"price","op":"gte","value":"10"}]}`), checked against the list’s allow-list when saved (else 422 `invalid_saved_filter` at `/filter`, `meta.path`); kept as written. null: no filter';
const SORT_NOTE =
  'The `?sort=` of the list (`-createdAt,name`), checked against its sortable keys (else 422 at `/sort`); null: the list’s default';
const COLUMNS_NOTE =
  'Field names of the list (its filter allow-list, `cf.<key>` of existing custom fields), at most 50, no repeats (else 422 at `/columns`)';
const VISIBILITY_NOTE =
  '`shared`: every member with saved-filters:read may see and use it; creating or changing to shared needs saved-filters:share (else 403 `share_not_allowed`)';
const DEFAULT_NOTE =
  'The owner’s default view of the list: setting it clears the owner’s previous default of the same list';

/** `GET /saved-filters` query. */
export class SavedFilterQueryDto {
  @ApiPropertyOptional({ description: 'Only the filters of this list', example: 'products' })
  @IsOptional()
  @Matches(RESOURCE, { message: 'resource must be a list name such as products' })
  resource?: string;
}

export class CreateSavedFilterDto {
  @ApiProperty({
    description: 'The list it applies to (unknown → 422 `unknown_resource`); immutable',
    example: 'products',
  })
  @Matches(RESOURCE, { message: 'resource must be a list name such as products' })
  resource: string;

  @NormalizedName()
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Active teas' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: FILTER_NOTE,
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsObject()
  filter?: Record<string, unknown> | null;

  @VisibleText()
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, description: SORT_NOTE })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(1, 500)
  sort?: string | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 50,
    uniqueItems: true,
    description: COLUMNS_NOTE,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  columns?: string[];

  @ApiPropertyOptional({
    enum: SAVED_FILTER_VISIBILITIES,
    default: 'private',
    description: VISIBILITY_NOTE,
  })
  @IsOptional()
  @IsIn(SAVED_FILTER_VISIBILITIES)
  visibility?: SavedFilterVisibility;

  @ApiPropertyOptional({ default: false, description: DEFAULT_NOTE })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

/** `resource` is immutable: sending it is a 422 (unknown property). */
export class UpdateSavedFilterDto {
  @NormalizedName()
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: FILTER_NOTE,
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsObject()
  filter?: Record<string, unknown> | null;

  @VisibleText()
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, description: SORT_NOTE })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Length(1, 500)
  sort?: string | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 50,
    uniqueItems: true,
    description: COLUMNS_NOTE,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  columns?: string[];

  @ApiPropertyOptional({ enum: SAVED_FILTER_VISIBILITIES, description: VISIBILITY_NOTE })
  @IsOptional()
  @IsIn(SAVED_FILTER_VISIBILITIES)
  visibility?: SavedFilterVisibility;

  @ApiPropertyOptional({ description: DEFAULT_NOTE })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

export class SavedFilterDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) ownerUserId: string;
  @ApiProperty({ description: 'Whether the caller owns it (and so may change it)' }) mine: boolean;
  @ApiProperty({ example: 'products' }) resource: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  filter: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) sort: string | null;
  @ApiProperty({ type: [String] }) columns: string[];
  @ApiProperty({ enum: SAVED_FILTER_VISIBILITIES }) visibility: SavedFilterVisibility;
  @ApiProperty({ description: 'The owner’s default view of the list' }) isDefault: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
