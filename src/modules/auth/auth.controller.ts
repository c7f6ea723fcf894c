import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  AuditContext,
  AuditContextParam,
  CurrentPrincipal,
  CurrentUserId,
  Principal,
  Public,
  RequirePermissions,
  RequireUser,
} from '../../core/auth';
import { ErrorEnvelopeDto, IssuesSecret } from '../../core/http';
import { RateLimit } from '../../core/rate-limit';
import type { ClientInfo } from './account-activity.repository';
import { AuthService } from './auth.service';
import { Client } from './client-info';
import {
  ChangePasswordDto,
  LoginDto,
  MeDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  RecoveryCodesDto,
  RefreshDto,
  TokenPairDto,
  TotpCodeDto,
  TotpEnrolmentDto,
} from './dto/auth.dto';

/** Login attempts are limited per IP *and* email, so one attacker cannot spray one account. */
const loginEmail = (request: FastifyRequest): string => {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.toLowerCase().slice(0, 254) : '';
};

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimit({ name: 'login', limit: 10, windowSeconds: 900, keyFrom: loginEmail })
  @Post('login')
  @IssuesSecret()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in: access + refresh tokens (TOTP code when 2FA is on)' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({
    description:
      '`invalid_credentials` (same for unknown email, wrong password, locked) or `totp_required`',
    type: ErrorEnvelopeDto,
  })
  login(
    @Body() dto: LoginDto,
    @AuditContextParam() context: AuditContext,
    @Client() client: ClientInfo,
  ): Promise<TokenPairDto> {
    return this.auth.login(dto, context, client);
  }

  @Public()
  @Post('refresh')
  @IssuesSecret()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Rotate a refresh token (reuse revokes the whole token family)' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  refresh(@Body() dto: RefreshDto, @Client() client: ClientInfo): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refreshToken, client);
  }

  @Public()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End the session of this refresh token (its whole family)' })
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async logout(@Body() dto: RefreshDto): Promise<void> {
    await this.auth.logout(dto.refreshToken);
  }

  @RequirePermissions()
  @RequireUser()
  @Get('me')
  @ApiOperation({
    summary: 'The caller: profile, memberships, permissions in the active organization',
  })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentUserId() userId: string, @CurrentPrincipal() principal: Principal): Promise<MeDto> {
    return this.auth.me(userId, principal);
  }

  @RequirePermissions()
  @RequireUser()
  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Change my password (ends my other sessions)' })
  @ApiNoContentResponse()
  async changePassword(
    @CurrentUserId() userId: string,
    @Body() dto: ChangePasswordDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.auth.changePassword(userId, dto.currentPassword, dto.newPassword, context);
  }

  @Public()
  @Post('password-reset/request')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Email a single-use reset link (same answer whether or not the email exists)',
  })
  @ApiAcceptedResponse()
  async requestReset(@Body() dto: PasswordResetRequestDto): Promise<void> {
    await this.auth.requestPasswordReset(dto.email);
  }

  @Public()
  @Post('password-reset/confirm')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Set a new password with a reset token (1 h, single use)' })
  @ApiNoContentResponse()
  async confirmReset(
    @Body() dto: PasswordResetConfirmDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.auth.confirmPasswordReset(dto.token, dto.newPassword, context);
  }

  @RequirePermissions()
  @RequireUser()
  @Post('2fa/enrol')
  @IssuesSecret()
  @ApiOperation({
    summary: 'Start TOTP enrolment: a secret and otpauth:// URI for the authenticator app',
  })
  @ApiCreatedResponse({ type: TotpEnrolmentDto })
  enrol(@CurrentUserId() userId: string): Promise<TotpEnrolmentDto> {
    return this.auth.enrolTotp(userId);
  }

  @RequirePermissions()
  @RequireUser()
  @Post('2fa/verify')
  @IssuesSecret()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Confirm enrolment with a code: 2FA turns on; recovery codes shown once',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  async verify(
    @CurrentUserId() userId: string,
    @Body() dto: TotpCodeDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.auth.verifyTotp(userId, dto.code, context) };
  }

  @RequirePermissions()
  @RequireUser()
  @Post('2fa/disable')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Turn 2FA off (needs a current code)' })
  @ApiNoContentResponse()
  async disable(
    @CurrentUserId() userId: string,
    @Body() dto: TotpCodeDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.auth.disableTotp(userId, dto.code, context);
  }
}
