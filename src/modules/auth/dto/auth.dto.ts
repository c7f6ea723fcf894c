import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { NormalizedName } from '../../../core/text';

export class LoginDto {
  @NormalizedName()
  @ApiProperty({ example: 'admin@alees.local' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, 256)
  password: string;

  @ApiPropertyOptional({
    description: 'Required when two-factor authentication is enabled',
    example: '123456',
  })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'totpCode must be 6 digits' })
  totpCode?: string;

  @ApiPropertyOptional({ description: 'A one-time recovery code instead of totpCode' })
  @IsOptional()
  @IsString()
  @Length(8, 64)
  recoveryCode?: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @Length(10, 4096)
  refreshToken: string;
}

export class TokenPairDto {
  @ApiProperty() accessToken: string;
  @ApiProperty() refreshToken: string;
  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' })
  expiresIn: number;
  @ApiProperty({ example: 'Bearer' }) tokenType: string;
}

/** At least 12 characters: length beats composition rules (NIST 800-63B). */
export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, 256)
  currentPassword: string;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @Length(12, 256)
  newPassword: string;
}

export class PasswordResetRequestDto {
  @NormalizedName()
  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty()
  @IsString()
  @Length(20, 200)
  token: string;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @Length(12, 256)
  newPassword: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456' })
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({ description: 'Base32 secret, for manual entry' }) secret: string;
  @ApiProperty({ example: 'otpauth://totp/Alees:me%40example.com?secret=...&issuer=Alees' })
  otpauthUrl: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    description: 'Shown once; each works once instead of a TOTP code',
  })
  recoveryCodes: string[];
}

export class MembershipSummaryDto {
  @ApiProperty() organizationId: string;
  @ApiProperty() organizationName: string;
  @ApiProperty({ type: [String] }) roles: string[];
  @ApiProperty() appliesToDescendants: boolean;
  @ApiProperty() isDefault: boolean;
}

export class MeDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() fullName: string;
  @ApiProperty() isSuperuser: boolean;
  @ApiProperty({ type: String, nullable: true }) language: string | null;
  @ApiProperty() timezone: string;
  @ApiProperty() totpEnabled: boolean;
  @ApiProperty({ type: String, nullable: true }) activeOrganizationId: string | null;
  @ApiProperty({ type: [String] }) permissions: string[];
  @ApiProperty({ type: [MembershipSummaryDto] }) memberships: MembershipSummaryDto[];
}
