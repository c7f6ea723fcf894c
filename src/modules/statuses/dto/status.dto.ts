import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { NormalizedName } from '../../../core/text';
import { STATUS_CATEGORIES, StatusCategory } from '../status.entity';

const ENTITY_TYPE = /^[a-z][a-z0-9-]{0,49}$/;
const ENTITY_TYPE_MESSAGE = { message: 'entityType must be an entity type such as product' };
const ENTITY_TYPE_NOTE =
  'A registered entity type (`product`, `contact`, …; unknown → 422 `unknown_entity_type`); null: every type';
const CODE = /^[a-z][a-z0-9_]{0,49}$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;
const COLOR_NOTE = '`#rrggbb` (stored lower-case)';
const DEFAULT_NOTE =
  'The default of its (organization, entity type): setting it clears the previous default; must be active (else 422 `inactive_default`)';
const lowerCase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;

/** `GET /statuses` query. */
export class StatusQueryDto {
  @ApiPropertyOptional({
    description:
      'Only the statuses that apply to this type (theirs and those for every type); unknown → 422',
    example: 'product',
  })
  @IsOptional()
  @Matches(ENTITY_TYPE, ENTITY_TYPE_MESSAGE)
  entityType?: string;
}

export class CreateStatusDto {
  @ApiProperty({
    description:
      'Immutable slug, unique among the statuses that apply to the same entity type, system ones included (else 409 `code_taken`)',
    pattern: CODE.source,
    example: 'on_hold',
  })
  @Matches(CODE, { message: 'code must be a slug: a lower-case letter, then a-z, 0-9 or _' })
  code: string;

  @NormalizedName()
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'On hold' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ enum: STATUS_CATEGORIES }) @IsIn(STATUS_CATEGORIES) category: StatusCategory;

  @ApiPropertyOptional({
    description: `${COLOR_NOTE}; default #9e9e9e`,
    pattern: COLOR.source,
    example: '#ff8800',
  })
  @IsOptional()
  @Transform(lowerCase)
  @Matches(COLOR, { message: 'color must be #rrggbb' })
  color?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: `${ENTITY_TYPE_NOTE} (the default); immutable`,
    example: 'product',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(ENTITY_TYPE, ENTITY_TYPE_MESSAGE)
  entityType?: string | null;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1_000_000,
    description: 'Order in lists (ascending); default: after the last status of its entity type',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  position?: number;

  @ApiPropertyOptional({ default: false, description: DEFAULT_NOTE })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() isActive?: boolean;
}

/** `code` and `entityType` are immutable: sending them is a 422 (unknown property). */
export class UpdateStatusDto {
  @NormalizedName()
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ enum: STATUS_CATEGORIES })
  @IsOptional()
  @IsIn(STATUS_CATEGORIES)
  category?: StatusCategory;

  @ApiPropertyOptional({ description: COLOR_NOTE, pattern: COLOR.source })
  @IsOptional()
  @Transform(lowerCase)
  @Matches(COLOR, { message: 'color must be #rrggbb' })
  color?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  position?: number;

  @ApiPropertyOptional({ description: DEFAULT_NOTE })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;

  @ApiPropertyOptional({ description: 'Deactivate a status in use instead of deleting it' })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class StatusDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'A system status: read-only, shared by every organization' })
  system: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'null: every entity type' })
  entityType: string | null;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: STATUS_CATEGORIES }) category: StatusCategory;
  @ApiProperty({ example: '#9e9e9e' }) color: string;
  @ApiProperty() position: number;
  @ApiProperty() isDefault: boolean;
  @ApiProperty() isActive: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
