import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';
import { NormalizedName } from '../../../core/text';

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const CODE_MESSAGE = 'code must be 1-32 letters, digits, _ . or -';
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_MESSAGE = (field: string) => `${field} must be a date like 2026-01-31`;
/** A fraction from 0 to 1 with up to 6 decimals: "0.2" is 20 %. */
const RATE = /^(0(\.\d{1,6})?|1(\.0{1,6})?)$/;

export class CreateTaxJurisdictionDto {
  @NormalizedName()
  @ApiProperty({ example: 'US-CA' })
  @Matches(CODE, { message: CODE_MESSAGE })
  code: string;
  @NormalizedName()
  @ApiProperty({ example: 'California' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'US' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be an ISO 3166-1 alpha-2 code like US' })
  countryCode?: string | null;

  @ApiPropertyOptional({ description: 'The enclosing jurisdiction; omit for a root' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
}

export class UpdateTaxJurisdictionDto extends PartialType(
  PickType(CreateTaxJurisdictionDto, ['code', 'name', 'countryCode'] as const),
) {}

export class MoveTaxJurisdictionDto {
  @ApiProperty({ type: String, nullable: true, description: 'New parent; null moves to the root' })
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  parentId: string | null;
}

export class TaxJurisdictionDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) countryCode: string | null;
  @ApiProperty({ type: String, nullable: true }) parentId: string | null;
  @ApiProperty() path: string;
  @ApiProperty() depth: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class CreateTaxCategoryDto {
  @NormalizedName()
  @ApiProperty({ example: 'standard' })
  @Matches(CODE, { message: CODE_MESSAGE })
  code: string;
  @NormalizedName()
  @ApiProperty({ example: 'Standard rate goods' })
  @IsString()
  @Length(1, 100)
  name: string;
  @ApiPropertyOptional({ default: '' })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  description?: string;
}

export class UpdateTaxCategoryDto extends PartialType(CreateTaxCategoryDto) {}

export class TaxCategoryDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class CreateTaxRateDto {
  @ApiProperty() @IsUUID() jurisdictionId: string;
  @ApiProperty() @IsUUID() taxCategoryId: string;
  @NormalizedName()
  @ApiProperty({ example: 'VAT standard' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({
    example: '0.2',
    description: 'Fraction from 0 to 1 as a decimal string (0.2 = 20 %)',
  })
  @Matches(RATE, { message: 'rate must be a decimal string from "0" to "1" with up to 6 decimals' })
  rate: string;

  @ApiProperty({ example: '2026-01-01', description: 'First day in force' })
  @Matches(DATE, { message: DATE_MESSAGE('validFrom') })
  validFrom: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2027-01-01',
    description: 'First day no longer in force (exclusive); null = open-ended',
  })
  @IsOptional()
  @Matches(DATE, { message: DATE_MESSAGE('validTo') })
  validTo?: string | null;
}

export class UpdateTaxRateDto extends PartialType(
  PickType(CreateTaxRateDto, ['name', 'rate', 'validFrom', 'validTo'] as const),
) {}

export class TaxRateDto {
  @ApiProperty() id: string;
  @ApiProperty() jurisdictionId: string;
  @ApiProperty() taxCategoryId: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: '0.2' }) rate: string;
  @ApiProperty({ example: '2026-01-01' }) validFrom: string;
  @ApiProperty({ type: String, nullable: true, example: null }) validTo: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export class TaxRateLookupDto {
  @ApiProperty() @IsUUID() jurisdictionId: string;
  @ApiProperty() @IsUUID() taxCategoryId: string;

  @ApiProperty({ example: '2026-06-30' })
  @Matches(DATE, { message: DATE_MESSAGE('date') })
  date: string;
}
