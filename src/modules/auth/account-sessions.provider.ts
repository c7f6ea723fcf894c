import { Global, Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import { TenantDatabase } from '../../core/tenancy';
import { AccountSessions } from '../users';
import { issuePasswordResetToken, passwordLink } from './password-reset-tokens';
import { revokeAllSessionsOfUser } from './revoke-sessions';

/**
 * `auth`'s implementation of the users module's `AccountSessions` port: ending a user's sessions
 * (refresh tokens) and issuing password-setting links (password_reset_tokens), both tables auth
 * owns. Lets `users` deactivate an account or mail a new account's link without importing auth.
 */
@Injectable()
export class AuthAccountSessions extends AccountSessions {
  constructor(
    private readonly db: TenantDatabase,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async endAll(userId: string): Promise<void> {
    await this.db.runAsSystem('authentication', (manager) =>
      revokeAllSessionsOfUser(manager, userId, this.clock.now()),
    );
  }

  async issuePasswordLink(
    manager: EntityManager,
    userId: string,
    expiresAt: Date,
  ): Promise<string> {
    return passwordLink(this.config, await issuePasswordResetToken(manager, userId, expiresAt));
  }
}

/**
 * Provides `AccountSessions` to every module (global: `UsersModule` cannot import `AuthModule`,
 * which imports it). Imported once, by `AuthModule`.
 */
@Global()
@Module({
  providers: [{ provide: AccountSessions, useClass: AuthAccountSessions }],
  exports: [AccountSessions],
})
export class AccountSessionsModule {}
