import { VisibleText } from '../../core/text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

/**
 * A postal address: an owned value, stored in its owner's rows (contact addresses, warehouse
 * `address_*` columns), never shared between owners and never addressed by an id of its own.
 */
export class AddressDto {
  @VisibleText()
  @ApiProperty({ example: '1 Main Street' })
  @IsString()
  @Length(1, 200)
  line1: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Suite 4' })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  line2?: string | null;

  @VisibleText() @ApiProperty({ example: 'Springfield' }) @IsString() @Length(1, 100) city: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'IL' })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  region?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '62701' })
  @IsOptional()
  @IsString()
  @Length(0, 20)
  postalCode?: string | null;

  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2' })
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be an ISO 3166-1 alpha-2 code like US' })
  countryCode: string;
}
