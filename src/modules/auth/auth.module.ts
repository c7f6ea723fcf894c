import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../../core/config';
import { RateLimitGuard } from '../../core/rate-limit';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { MembershipsModule } from '../memberships';
import { UsersModule } from '../users';
import { AccountSessionsModule } from './account-sessions.provider';
import { AccountActivityController } from './account-activity.controller';
import { AccountActivityRepository } from './account-activity.repository';
import { AccountActivityService } from './account-activity.service';
import { AuthController } from './auth.controller';
import { SignupController } from './signup.controller';
import { SignupService } from './signup.service';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { TokenService } from './token.service';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a
        // PEM public key on every verify (createPublicKey throwing), which cost ~17 % of a list
        // request's CPU in `npm run bench`.
        secret: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) as unknown as string,
        signOptions: { algorithm: config.jwt.algorithm },
        verifyOptions: { algorithms: [config.jwt.algorithm] },
      }),
    }),
    AccessModule,
    AuditModule,
    UsersModule,
    MembershipsModule,
    AccountSessionsModule,
  ],
  controllers: [AuthController, AccountActivityController, SignupController],
  providers: [
    AuthService,
    SignupService,
    AccountActivityRepository,
    AccountActivityService,
    TokenService,
    AuthGuard, // also used directly by the realtime gateway's handshake
    // Order matters: authenticate first, so rate limits can key on the principal.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [TokenService, AuthGuard],
})
export class AuthModule {}
