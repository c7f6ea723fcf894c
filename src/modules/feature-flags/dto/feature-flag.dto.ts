import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { NormalizedName } from '../../../core/text';

export class FlagRulesDto {
  @ApiPropertyOptional({ type: 'string', format: 'uuid', isArray: true, maxItems: 1000 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID(undefined, { each: true })
  userIds?: string[];

  @ApiPropertyOptional({ type: 'string', format: 'uuid', isArray: true, maxItems: 1000 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID(undefined, { each: true })
  organizationIds?: string[];

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 100,
    description: 'Share of users (stable per user)',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100)
  percentage?: number | null;

  @ApiPropertyOptional({ type: [String], example: ['production'] })
  @IsOptional()
  @IsArray()
  @IsIn(['development', 'test', 'staging', 'production'], { each: true })
  environments?: string[];
}

export class CreateFeatureFlagDto {
  @NormalizedName()
  @ApiProperty({ example: 'imports.xlsx' })
  @Matches(/^[a-z][a-z0-9._-]{1,63}$/, {
    message: 'key must be 2-64 lowercase letters, digits, . _ or -',
  })
  key: string;

  @ApiPropertyOptional({ default: '' })
  @IsOptional()
  @IsString()
  @Length(0, 1000)
  description?: string;

  @ApiPropertyOptional({ default: false, description: 'Off wins over every rule' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    type: FlagRulesDto,
    description: 'No targeting: on for everyone when enabled',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => FlagRulesDto)
  rules?: FlagRulesDto;
}

export class UpdateFeatureFlagDto extends PartialType(
  OmitType(CreateFeatureFlagDto, ['key'] as const),
) {}

export class FeatureFlagDto {
  @ApiProperty() key: string;
  @ApiProperty() description: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: FlagRulesDto }) rules: FlagRulesDto;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class FlagEvaluationDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'boolean' },
    example: { 'imports.xlsx': true },
  })
  flags: Record<string, boolean>;
}
