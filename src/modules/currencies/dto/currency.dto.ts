import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { NormalizedName } from '../../../core/text';

export class CreateCurrencyDto {
  @ApiProperty({ example: 'XTS', description: 'ISO 4217 alphabetic code' })
  @Matches(/^[A-Z]{3}$/, { message: 'code must be three capital letters (ISO 4217)' })
  code: string;

  @NormalizedName()
  @ApiProperty({ example: 'Testing code' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2,
    description: 'Decimal places; null = N.A.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4)
  minorUnits: number | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class UpdateCurrencyDto {
  @NormalizedName() @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) name?: string;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4)
  minorUnits?: number | null;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;
}

export class CurrencyDto {
  @ApiProperty({ example: 'EUR' }) code: string;
  @ApiProperty({ example: 'Euro' }) name: string;
  @ApiProperty({ type: Number, nullable: true, example: 2 }) minorUnits: number | null;
  @ApiProperty() isActive: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}
