import { VisibleText } from '../../../core/text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsOptional,
  IsString,
  IsTimeZone,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { OrganizationDto } from '../../organizations';
import { InvitationDto } from '../../invitations';

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$/;
const LANGUAGE = /^[a-z]{2}(-[A-Z]{2})?$/;

export class TenantOwnerDto {
  @ApiProperty({ example: 'owner@customer.example', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @VisibleText()
  @ApiProperty({ example: 'Olivia Owner', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  fullName: string;
}

export class CreateTenantDto {
  @VisibleText()
  @ApiProperty({ example: 'Customer Ltd', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({
    example: 'CUSTOMER',
    description: 'Unique across the installation (case-insensitive)',
  })
  @Matches(CODE, { message: 'code must be 2-40 letters, digits, _ . or -' })
  code: string;

  @ApiProperty({
    type: TenantOwnerDto,
    description: 'Invited as Owner (with every organization below)',
  })
  @IsDefined()
  @ValidateNested()
  @Type(() => TenantOwnerDto)
  owner: TenantOwnerDto;

  @VisibleText()
  @ApiPropertyOptional({ example: 'company', default: 'company' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  typeCode?: string;

  @ApiPropertyOptional({ example: 'EUR', default: 'USD' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currencyCode must be an ISO 4217 code like EUR' })
  currencyCode?: string;

  @ApiPropertyOptional({ example: 'Europe/Paris', default: 'UTC' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  @ApiPropertyOptional({
    example: 'fr',
    description: 'Default language (also of the invitation mail)',
  })
  @IsOptional()
  @Matches(LANGUAGE, { message: 'language must look like en or fr-FR' })
  language?: string;
}

export class TenantDto {
  @ApiProperty({ type: OrganizationDto }) organization: OrganizationDto;
  @ApiProperty({ type: InvitationDto, description: 'The pending invitation of the owner' })
  invitation: InvitationDto;
}
