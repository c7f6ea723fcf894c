import {
  ApiProperty,
  ApiPropertyOptional,
  ApiPropertyOptions,
  OmitType,
  PartialType,
} from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { NORMALIZED_NAME_NOTE, NormalizedName, VisibleText } from '../../../core/text';
import {
  CUSTOM_FIELD_KEY,
  CUSTOM_FIELD_TYPES,
  CustomFieldType,
  MAX_OPTIONS,
  MAX_PATTERN_LENGTH,
} from '../custom-field-rules';

/** A bound is a JSON number or a string of at most 40 characters (its meaning depends on the type). */
const NumberOrString = () =>
  ValidateBy({
    name: 'isNumberOrString',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' || (typeof value === 'string' && value.length <= 40),
      defaultMessage: (args) =>
        `${args?.property} must be a number or a string of at most 40 characters`,
    },
  });

const BOUND_DOC: ApiPropertyOptions = {
  anyOf: [
    { type: 'number', nullable: true },
    { type: 'string', maxLength: 40, nullable: true },
  ],
  description:
    'text: a length (whole number 0-10000); number/decimal: a number (≤ 15 digits, ≤ 6 decimals); date: YYYY-MM-DD; datetime: ISO 8601 with offset. Other types: none (422).',
};

export class CreateCustomFieldDto {
  @ApiProperty({
    example: 'product',
    description: 'A registered entity type (`product`, `contact`), else 422 `unknown_entity_type`',
  })
  @IsString()
  @Matches(/^[a-z][a-z_-]{0,49}$/, { message: 'entityType must be an entity type name' })
  entityType: string;

  @ApiProperty({
    example: 'color',
    pattern: CUSTOM_FIELD_KEY.source,
    description: 'Slug, unique per entity type, never changes; values are `customFields.<key>`',
  })
  @IsString()
  @Matches(CUSTOM_FIELD_KEY, {
    message: 'key must start with a-z and be 1-40 lower-case letters, digits or _',
  })
  key: string;

  @NormalizedName()
  @ApiProperty({
    example: 'Colour',
    minLength: 1,
    maxLength: 100,
    description: NORMALIZED_NAME_NOTE,
  })
  @IsString()
  @Length(1, 100)
  label: string;

  @ApiProperty({
    enum: CUSTOM_FIELD_TYPES,
    description: 'Cannot change once a record holds a value (409 `custom_field_type_locked`)',
  })
  @IsIn(CUSTOM_FIELD_TYPES)
  type: CustomFieldType;

  @ApiPropertyOptional({
    default: false,
    description:
      'Checked whenever a record’s custom fields are written (older records are not rewritten)',
  })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    maxItems: MAX_OPTIONS,
    description:
      'select/multiselect only (required there): 1-100 options, each normalised to 1-100 characters, unique case- and look-alike-insensitively (NFKC)',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsArray()
  @ArrayMaxSize(MAX_OPTIONS)
  @IsString({ each: true })
  options?: string[] | null;

  @ApiPropertyOptional(BOUND_DOC)
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @NumberOrString()
  min?: number | string | null;

  @ApiPropertyOptional(BOUND_DOC)
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @NumberOrString()
  max?: number | string | null;

  @VisibleText()
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_PATTERN_LENGTH,
    description:
      'text only: a regular expression (Unicode) values must match; no back-references, lookaround, or repeated groups that contain a repetition or alternation',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, MAX_PATTERN_LENGTH)
  pattern?: string | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000, description: 'Default: after the last' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  position?: number;

  @ApiPropertyOptional({
    default: true,
    description: 'Deactivated: kept on records, filterable, refused on writes',
  })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

/** Key and entity type never change; everything else may (type only while no record holds a value). */
export class UpdateCustomFieldDto extends PartialType(
  OmitType(CreateCustomFieldDto, ['entityType', 'key'] as const),
) {}

export class CustomFieldDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'product' }) entityType: string;
  @ApiProperty({ example: 'color' }) key: string;
  @ApiProperty() label: string;
  @ApiProperty({ enum: CUSTOM_FIELD_TYPES }) type: CustomFieldType;
  @ApiProperty() required: boolean;
  @ApiProperty({ type: [String], nullable: true }) options: string[] | null;
  @ApiProperty({
    anyOf: [
      { type: 'number', nullable: true },
      { type: 'string', nullable: true },
    ],
  })
  min: number | string | null;
  @ApiProperty({
    anyOf: [
      { type: 'number', nullable: true },
      { type: 'string', nullable: true },
    ],
  })
  max: number | string | null;
  @ApiProperty({ type: String, nullable: true }) pattern: string | null;
  @ApiProperty() position: number;
  @ApiProperty() isActive: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
