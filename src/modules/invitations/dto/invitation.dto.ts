import { VisibleText } from '../../../core/text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';

export class CreateInvitationDto {
  @ApiProperty({ example: 'jane@example.com', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 20,
    description: 'Roles in the active organization (system roles or its own)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @ArrayMaxSize(20)
  @IsUUID(undefined, { each: true })
  roleIds: string[];

  @ApiPropertyOptional({
    default: false,
    description: 'Also grants the roles in every organization below this one',
  })
  @IsOptional()
  @IsBoolean()
  appliesToDescendants?: boolean;
}

/**
 * Accepting: signed in (Bearer token of the invited account) with an empty body, or anonymous
 * with `password` and `fullName` to create the account.
 */
export class AcceptInvitationDto {
  @ApiPropertyOptional({
    minLength: 12,
    maxLength: 256,
    description: 'Required when accepting without signing in (creates the account)',
  })
  @IsOptional()
  @IsString()
  @Length(12, 256)
  password?: string;

  @VisibleText()
  @ApiPropertyOptional({
    maxLength: 200,
    description: 'Required when accepting without signing in (creates the account)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  fullName?: string;
}

export class InvitationDto {
  @ApiProperty() id: string;
  @ApiProperty() organizationId: string;
  @ApiProperty({ description: 'Lower-cased' }) email: string;
  @ApiProperty({ type: [String] }) roleIds: string[];
  @ApiProperty() appliesToDescendants: boolean;
  @ApiProperty({ enum: ['pending', 'accepted', 'revoked', 'expired'] })
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  @ApiProperty() expiresAt: string;
  @ApiProperty({ type: String, nullable: true }) invitedBy: string | null;
  @ApiProperty({ type: String, nullable: true }) acceptedAt: string | null;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
}

export class AcceptedInvitationDto {
  @ApiProperty() organizationId: string;
  @ApiProperty() membershipId: string;
  @ApiProperty() userId: string;
  @ApiProperty({ description: 'true when accepting created the account' })
  accountCreated: boolean;
}
