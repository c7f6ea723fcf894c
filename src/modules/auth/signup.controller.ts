import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuditContext, AuditContextParam, Public } from '../../core/auth';
import { ErrorEnvelopeDto } from '../../core/http';
import { languageOf } from '../../core/i18n';
import { RateLimit } from '../../core/rate-limit';
import { SignupDto, SignupVerifiedDto, SignupVerifyDto } from './dto/account.dto';
import { SignupService } from './signup.service';

/** Limited like login: per IP and email being signed up, so one caller cannot mail-bomb one box. */
const signupEmail = (request: FastifyRequest): string => {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.toLowerCase().slice(0, 254) : '';
};

const OFF = { description: 'Sign-up is off (`ALLOW_SIGNUP` is not true)', type: ErrorEnvelopeDto };

@ApiTags('auth')
@Public()
@Controller('auth/signup')
export class SignupController {
  constructor(private readonly signup: SignupService) {}

  @Post()
  @RateLimit({ name: 'signup', limit: 10, windowSeconds: 900, keyFrom: signupEmail })
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Sign up: e-mails a verification link (24 h, single use)',
    description:
      'Only when `ALLOW_SIGNUP=true`. The same 202 whether or not the email already has an account (its owner is mailed a reminder instead). 10 tries per 15 minutes per IP and email.',
  })
  @ApiAcceptedResponse({ description: 'A mail is on its way' })
  @ApiConflictResponse({
    description: '`organization_code_taken`: choose another organization code',
    type: ErrorEnvelopeDto,
  })
  @ApiNotFoundResponse(OFF)
  async request(@Body() dto: SignupDto, @Req() request: FastifyRequest): Promise<void> {
    await this.signup.request(dto, languageOf(request));
  }

  @Post('verify')
  @RateLimit({ name: 'signup-verify', limit: 10, windowSeconds: 900 })
  @ApiOperation({
    summary: 'Confirm a sign-up: creates the account, its root organization and Owner membership',
  })
  @ApiCreatedResponse({ type: SignupVerifiedDto })
  @ApiUnprocessableEntityResponse({
    description: '`invalid_signup_token`: unknown, used or expired',
    type: ErrorEnvelopeDto,
  })
  @ApiConflictResponse({
    description: '`account_exists` or `organization_code_taken` since the request',
    type: ErrorEnvelopeDto,
  })
  @ApiNotFoundResponse(OFF)
  verify(
    @Body() dto: SignupVerifyDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<SignupVerifiedDto> {
    return this.signup.verify(dto.token, context);
  }
}
