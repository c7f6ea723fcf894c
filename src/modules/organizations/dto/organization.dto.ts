import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsTimeZone, IsUUID, Length, Matches } from 'class-validator';
import { NormalizedName, VisibleText } from '../../../core/text';

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$/;
const LANGUAGE = /^[a-z]{2}(-[A-Z]{2})?$/;

export class CreateOrganizationDto {
  @NormalizedName()
  @ApiProperty({
    example: 'ACME-EU',
    description: 'Unique across the installation (case-insensitive)',
  })
  @Matches(CODE, { message: 'code must be 2-40 letters, digits, _ . or -' })
  code: string;

  @NormalizedName()
  @ApiProperty({ example: 'ACME Europe' })
  @IsString()
  @Length(1, 200)
  name: string;

  @VisibleText()
  @ApiProperty({ example: 'company', description: 'An organization type code' })
  @IsString()
  @Length(1, 40)
  typeCode: string;

  @ApiPropertyOptional({ description: 'Parent organization (default: the active organization)' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

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
    description: 'Default language of answers and of content (omitted: English)',
  })
  @IsOptional()
  @Matches(LANGUAGE, { message: 'language must look like en or fr-FR' })
  language?: string;
}

export class UpdateOrganizationDto {
  @NormalizedName()
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(CODE, { message: 'code must be 2-40 letters, digits, _ . or -' })
  code?: string;
  @NormalizedName() @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @VisibleText() @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 40) typeCode?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currencyCode must be an ISO 4217 code like EUR' })
  currencyCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsTimeZone() timezone?: string;

  @ApiPropertyOptional({
    example: 'fr',
    description: 'Default language of answers and of content (omitted: unchanged)',
  })
  @IsOptional()
  @Matches(LANGUAGE, { message: 'language must look like en or fr-FR' })
  language?: string;
}

export class MoveOrganizationDto {
  @ApiProperty({ description: 'The new parent' })
  @IsUUID()
  parentId: string;
}

export class OrganizationDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty() typeCode: string;
  @ApiProperty({ type: String, nullable: true }) parentId: string | null;
  @ApiProperty({ example: '/0192.../0193.../' }) path: string;
  @ApiProperty() depth: number;
  @ApiProperty({ enum: ['active', 'archived'] }) status: string;
  @ApiProperty() currencyCode: string;
  @ApiProperty() timezone: string;
  @ApiProperty({ type: String, nullable: true }) language: string | null;
  @ApiProperty({ type: String, nullable: true }) archivedAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() version: number;
}

export const ORGANIZATION_STATUSES = ['active', 'archived'] as const;
export const IsOrganizationStatus = () => IsIn(ORGANIZATION_STATUSES);

/** `POST /organizations/{id}/archive?cascade=true`: archive the whole subtree, not only a leaf. */
export class ArchiveOrganizationQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description:
      'true: archive the organization and every active descendant in one transaction; ' +
      'false (default): 409 `active_descendants` when any descendant is still active',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  cascade?: 'true' | 'false';
}
