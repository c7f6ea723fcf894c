import { VisibleText } from '../../../core/text';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

/** One sign-in attempt against the caller's own account. */
export class LoginEventDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({
    enum: ['success', 'failure', 'lockout'],
    description: '`lockout`: this failure locked the account for 15 minutes',
  })
  outcome: 'success' | 'failure' | 'lockout';
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) ip: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Failures only: wrong_password, wrong_totp, inactive or locked',
  })
  reason: string | null;
}

/** An active sign-in session: one refresh-token family. */
export class SessionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time', description: 'When the person signed in' })
  createdAt: string;
  @ApiProperty({ format: 'date-time', description: 'Last sign-in or token refresh' })
  lastUsedAt: string;
  @ApiProperty({ type: String, nullable: true }) ip: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent: string | null;
  @ApiProperty({ description: 'The session of the access token making this request' })
  current: boolean;
}

const ORGANIZATION_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$/;

/** Self-service sign-up (`ALLOW_SIGNUP=true`). */
export class SignupDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 12, maxLength: 256 })
  @IsString()
  @Length(12, 256)
  password: string;

  @VisibleText()
  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  fullName: string;

  @VisibleText()
  @ApiProperty({ example: 'Analytical Engines Ltd', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  organizationName: string;

  @ApiProperty({
    example: 'ANALYTICAL',
    pattern: ORGANIZATION_CODE.source,
    description: 'Unique across the installation (case-insensitive); checked when verifying',
  })
  @Matches(ORGANIZATION_CODE, {
    message: 'organizationCode must be 2-40 letters, digits, _ . or -',
  })
  organizationCode: string;
}

export class SignupVerifyDto {
  @ApiProperty({ description: 'The token from the verification e-mail' })
  @IsString()
  @Length(20, 200)
  token: string;
}

export class SignupVerifiedDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ format: 'uuid', description: 'The new root organization (you are its Owner)' })
  organizationId: string;
}
