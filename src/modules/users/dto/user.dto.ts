import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  IsTimeZone,
  IsUUID,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { NormalizedName } from '../../../core/text';

const LANGUAGE = /^[a-z]{2}(-[A-Z]{2})?$/;

export class CreateUserDto {
  @NormalizedName()
  @ApiProperty({ example: 'jane@example.com', description: 'Unique, case-insensitive' })
  @IsEmail()
  @MaxLength(254)
  email: string;
  @ApiPropertyOptional({
    minLength: 12,
    description: 'Omit to invite: the user is mailed a link (valid 7 days) to choose a password',
  })
  @IsOptional()
  @IsString()
  @Length(12, 256)
  password?: string;
  @ApiPropertyOptional({ example: 'Jane Doe' })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  fullName?: string;
  @ApiPropertyOptional({
    example: 'fr',
    description: 'Preferred language; unset, Accept-Language and the organization decide',
  })
  @IsOptional()
  @Matches(LANGUAGE, { message: 'language must look like en or fr-FR' })
  language?: string;
  @ApiPropertyOptional({ example: 'UTC', default: 'UTC' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;
  @ApiProperty({
    type: [String],
    description: 'Roles in the active organization (system or its own)',
  })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(20)
  @IsUUID(undefined, { each: true })
  roleIds: string[];
}

/** `PATCH /auth/me`: the fields of their account a person changes themself. */
export class UpdateOwnProfileDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 200) fullName?: string;
  @ApiPropertyOptional({ example: 'fr' })
  @IsOptional()
  @Matches(LANGUAGE, { message: 'language must look like en or fr-FR' })
  language?: string;
  @ApiPropertyOptional({ example: 'Europe/Paris' }) @IsOptional() @IsTimeZone() timezone?: string;
}

/** `PATCH /users/{id}` (superusers only): any field of any account. */
export class UpdateUserDto extends UpdateOwnProfileDto {
  @ApiPropertyOptional({ example: 'jane@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
  @ApiPropertyOptional({
    description: 'false deactivates the account everywhere (not the last active superuser: 409)',
  })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
  @ApiPropertyOptional({ description: 'Not the last active superuser (409 `last_superuser`)' })
  @IsOptional()
  @IsBoolean()
  isSuperuser?: boolean;
}

export class UserDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() fullName: string;
  @ApiProperty() isActive: boolean;
  @ApiProperty() isSuperuser: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'null: no preference' })
  language: string | null;
  @ApiProperty() timezone: string;
  @ApiProperty() totpEnabled: boolean;
  @ApiProperty({ type: String, nullable: true }) lastLoginAt: string | null;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
