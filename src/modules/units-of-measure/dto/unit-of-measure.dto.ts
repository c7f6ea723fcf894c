import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { UNIT_TYPES, UnitType } from '../unit-of-measure.entity';
import { NormalizedName, VisibleText } from '../../../core/text';

const CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,15}$/;
/** A positive decimal string with at most 12 decimal places. */
export const POSITIVE_FACTOR = /^(?!0+(\.0+)?$)\d{1,18}(\.\d{1,12})?$/;

export class CreateUnitOfMeasureDto {
  @NormalizedName()
  @ApiProperty({ example: 'kg' })
  @Matches(CODE, { message: 'code must be 1-16 letters, digits, _ . or -, starting with a letter' })
  code: string;

  @NormalizedName() @ApiProperty({ example: 'Kilogram' }) @IsString() @Length(1, 100) name: string;

  @ApiProperty({ enum: UNIT_TYPES }) @IsIn(UNIT_TYPES) type: UnitType;

  @ApiProperty({
    example: '1000',
    description: 'How many base units of the type one of this unit is (decimal string; base = "1")',
  })
  @Matches(POSITIVE_FACTOR, {
    message: 'factor must be a positive decimal string like "0.45359237"',
  })
  factor: string;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() isActive?: boolean;
}

export class UpdateUnitOfMeasureDto {
  @NormalizedName() @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) name?: string;

  @ApiPropertyOptional({ example: '0.45359237' })
  @IsOptional()
  @Matches(POSITIVE_FACTOR, {
    message: 'factor must be a positive decimal string like "0.45359237"',
  })
  factor?: string;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;
}

export class UnitOfMeasureDto {
  @ApiProperty({ example: 'kg' }) code: string;
  @ApiProperty({ example: 'Kilogram' }) name: string;
  @ApiProperty({ enum: UNIT_TYPES }) type: UnitType;
  @ApiProperty({ example: '1' }) factor: string;
  @ApiProperty() isActive: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class ConvertQueryDto {
  @VisibleText() @ApiProperty({ example: 'lb' }) @IsString() @Length(1, 16) from: string;
  @VisibleText() @ApiProperty({ example: 'kg' }) @IsString() @Length(1, 16) to: string;

  @ApiProperty({ example: '2.5' })
  @Matches(/^-?\d{1,18}(\.\d{1,12})?$/, { message: 'quantity must be a decimal string like "2.5"' })
  quantity: string;
}

export class ConversionDto {
  @ApiProperty({ example: 'lb' }) from: string;
  @ApiProperty({ example: 'kg' }) to: string;
  @ApiProperty({ example: '2.5' }) quantity: string;
  @ApiProperty({
    example: '1.133980925',
    description: 'Exact decimal; a non-terminating quotient is rounded half-up to 12 places',
  })
  result: string;
}
