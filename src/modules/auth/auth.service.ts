import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { authenticator } from 'otplib';
import type { AuditContext, Principal } from '../../core/auth';
import { LocalCache, PRINCIPALS_CACHE } from '../../core/cache';
import { Clock } from '../../core/clock';
import { returningRows } from '../../core/database';
import { AppConfig } from '../../core/config';
import { openStoredSecret, sealStoredSecret } from '../../core/secrets/sealed-secret';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { PasswordHasher, UserAccountRow, UserAccountsService } from '../users';
import { MailService } from '../mail';
import { MembershipsService } from '../memberships';
import {
  issuePasswordResetToken,
  passwordLink,
  RESET_TOKEN_TTL_MS,
  sha256,
} from './password-reset-tokens';
import { TokenPair, TokenService } from './token.service';
import { AccountActivityRepository, ClientInfo } from './account-activity.repository';
import { revokeAllSessionsOfUser } from './revoke-sessions';
import type { LoginDto, MeDto } from './dto/auth.dto';
import { AuthErrors } from './auth.errors';

/** What binds a sealed TOTP secret to its user's row (AES-GCM additional data). */
const totpAad = (userId: string): string => `users.totp_secret:${userId}`;

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
const RECOVERY_CODE_COUNT = 10;

const invalidCredentials = () => AuthErrors.invalid_credentials();

/**
 * Sign-in and credentials. Unknown email, wrong password and a locked account all answer the same
 * 401 after the same argon2 work, so the API never tells an attacker which emails exist.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly db: TenantDatabase,
    private readonly accounts: UserAccountsService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly mail: MailService,
    private readonly activity: AccountActivityRepository,
    private readonly memberships: MembershipsService,
    private readonly local: LocalCache,
  ) {}

  /** The account with `id` (a signed-in user: it exists). */
  private async account(id: string): Promise<UserAccountRow> {
    const user = await this.accounts.findById(id);
    if (!user) throw new Error(`No account ${id}`);
    return user;
  }

  /**
   * Every attempt against an existing account is also a row of that person's login history
   * (`login_events`, with `client`'s IP and user agent), written with its audit row.
   */
  async login(dto: LoginDto, context: AuditContext, client: ClientInfo): Promise<TokenPair> {
    const user = await this.accounts.findByEmail(dto.email);
    const now = this.clock.now();
    if (!user || !user.is_active) {
      await this.hasher.verifyAgainstDummy(dto.password);
      await this.db.runAsSystem('authentication', async (manager) => {
        await this.audit.record(manager, {
          organizationId: null,
          action: 'login.failure',
          entityType: 'user',
          entityId: user?.id ?? null,
          changes: { reason: user ? 'inactive' : 'unknown_email' },
          context,
        });
        if (user)
          await this.activity.recordLoginEvent(manager, user.id, 'failure', 'inactive', client);
      });
      throw invalidCredentials();
    }
    const locked = user.locked_until !== null && user.locked_until.getTime() > now.getTime();
    const passwordOk = locked
      ? await this.hasher.verifyAgainstDummy(dto.password)
      : await this.hasher.verify(user.password_hash, dto.password);
    if (!passwordOk) {
      await this.recordFailure(user, locked ? 'locked' : 'wrong_password', context, client);
      throw invalidCredentials();
    }
    if (user.totp_enabled) {
      if (!dto.totpCode && !dto.recoveryCode) {
        throw AuthErrors.totp_required();
      }
      const secondFactorOk = dto.totpCode
        ? this.totpValid(user, dto.totpCode)
        : await this.consumeRecoveryCode(user.id, dto.recoveryCode as string);
      if (!secondFactorOk) {
        await this.recordFailure(user, 'wrong_totp', context, client);
        throw invalidCredentials();
      }
    }
    await this.db.runAsSystem('authentication', async (manager) => {
      await this.accounts.recordLoginSuccess(manager, user.id, now);
      await this.audit.record(manager, {
        organizationId: null,
        action: 'login.success',
        entityType: 'user',
        entityId: user.id,
        context: { ...context, actorUserId: user.id },
      });
      await this.activity.recordLoginEvent(manager, user.id, 'success', null, client);
    });
    return this.tokens.issue(user.id, undefined, client);
  }

  /** Counts a failure; the fifth in a row locks the account for 15 minutes. */
  private async recordFailure(
    user: UserAccountRow,
    reason: string,
    context: AuditContext,
    client: ClientInfo,
  ): Promise<void> {
    const now = this.clock.now();
    await this.db.runAsSystem('authentication', async (manager) => {
      const failures = await this.accounts.countLoginFailure(manager, user.id, now);
      const lockNow = reason !== 'locked' && failures >= MAX_FAILED_LOGINS;
      if (lockNow) {
        await this.accounts.lock(manager, user.id, new Date(now.getTime() + LOCKOUT_MS));
      }
      await this.audit.record(manager, {
        organizationId: null,
        action: 'login.failure',
        entityType: 'user',
        entityId: user.id,
        changes: { reason, locked: lockNow || reason === 'locked' },
        context,
      });
      await this.activity.recordLoginEvent(
        manager,
        user.id,
        lockNow ? 'lockout' : 'failure',
        reason,
        client,
      );
    });
  }

  /** Rotation; the new refresh token records where it was used (`client`). */
  refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    return this.tokens.rotate(refreshToken, client).then((r) => r.tokens);
  }

  logout(refreshToken: string): Promise<void> {
    return this.tokens.revokeByRefreshToken(refreshToken);
  }

  async me(userId: string, principal: Principal): Promise<MeDto> {
    const user = await this.account(userId);
    const memberships = await this.memberships.ofUser(user.id);
    return {
      id: user.id,
      email: user.email,
      fullName: user.full_name,
      isSuperuser: user.is_superuser,
      language: user.language,
      timezone: user.timezone,
      totpEnabled: user.totp_enabled,
      activeOrganizationId: principal.organizationId,
      permissions: [...principal.permissions].sort(),
      memberships: memberships.map((m) => ({
        organizationId: m.organization_id,
        organizationName: m.name,
        roles: m.roles,
        appliesToDescendants: m.applies_to_descendants,
        isDefault: m.is_default,
      })),
    };
  }

  async changePassword(
    userId: string,
    currentPassword: string,
    newPassword: string,
    context: AuditContext,
  ): Promise<void> {
    const user = await this.account(userId);
    if (!(await this.hasher.verify(user.password_hash, currentPassword))) {
      throw AuthErrors.invalid_current_password();
    }
    await this.setPassword(user.id, newPassword, 'password.change', context);
  }

  /**
   * Always the same answer (202), whether or not the email exists. The token and the queued mail
   * commit together: with the queue down nothing is written and the caller gets 503.
   */
  async requestPasswordReset(email: string): Promise<void> {
    const user = await this.accounts.findByEmail(email);
    if (!user || !user.is_active) return;
    await this.db.runAsSystem('authentication', async (manager) => {
      const expiresAt = new Date(this.clock.now().getTime() + RESET_TOKEN_TTL_MS);
      const token = await issuePasswordResetToken(manager, user.id, expiresAt);
      await this.mail.send(user.email, 'password-reset', user.language ?? 'en', {
        name: user.full_name || user.email,
        email: user.email,
        link: passwordLink(this.config, token),
        validMinutes: RESET_TOKEN_TTL_MS / 60_000,
      });
    });
  }

  async confirmPasswordReset(
    token: string,
    newPassword: string,
    context: AuditContext,
  ): Promise<void> {
    const [row] = await this.db.runAsSystem('authentication', (manager) =>
      returningRows<{ user_id: string }>(
        manager,
        `UPDATE password_reset_tokens SET used_at = $2
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
        RETURNING user_id`,
        [sha256(token), this.clock.now()],
      ),
    );
    if (!row) {
      throw AuthErrors.invalid_reset_token();
    }
    await this.setPassword(row.user_id, newPassword, 'password.reset', {
      ...context,
      actorUserId: row.user_id,
    });
  }

  private async setPassword(
    userId: string,
    password: string,
    action: string,
    context: AuditContext,
  ): Promise<void> {
    const hash = await this.hasher.hash(password);
    await this.db.runAsSystem('authentication', async (manager) => {
      await this.accounts.setPassword(manager, userId, hash, this.clock.now());
      await this.audit.record(manager, {
        organizationId: null,
        action,
        entityType: 'user',
        entityId: userId,
        changes: { password: 'changed' },
        context,
      });
      // Every session of the old password ends, in the same transaction as the new password.
      await revokeAllSessionsOfUser(manager, userId, this.clock.now());
    });
    // The guard's cached caller holds password_changed_at and the session: drop it everywhere.
    await this.local.invalidate(PRINCIPALS_CACHE);
  }

  async enrolTotp(userId: string): Promise<{ secret: string; otpauthUrl: string }> {
    const user = await this.account(userId);
    if (user.totp_enabled) throw AuthErrors.totp_already_enabled();
    const secret = authenticator.generateSecret();
    await this.accounts.setTotpSecret(
      userId,
      sealStoredSecret(secret, this.config.sealing.key, totpAad(userId)),
    );
    return { secret, otpauthUrl: authenticator.keyuri(user.email, this.config.app.name, secret) };
  }

  async verifyTotp(userId: string, code: string, context: AuditContext): Promise<string[]> {
    const user = await this.account(userId);
    if (!user.totp_secret || user.totp_enabled) {
      throw AuthErrors.totp_not_enrolling();
    }
    if (!this.totpValid(user, code)) {
      throw AuthErrors.invalid_totp_code();
    }
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => randomBytes(6).toString('hex'));
    await this.db.runAsSystem('authentication', async (manager) => {
      await this.accounts.enableTotp(manager, userId);
      await manager.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
      for (const code of codes) {
        await manager.query('INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)', [
          userId,
          sha256(code),
        ]);
      }
      await this.audit.record(manager, {
        organizationId: null,
        action: 'totp.enable',
        entityType: 'user',
        entityId: userId,
        context,
      });
    });
    return codes;
  }

  async disableTotp(userId: string, code: string, context: AuditContext): Promise<void> {
    const user = await this.account(userId);
    if (!user.totp_enabled || !this.totpValid(user, code)) {
      throw AuthErrors.invalid_totp_code();
    }
    await this.db.runAsSystem('authentication', async (manager) => {
      await this.accounts.disableTotp(manager, userId);
      await manager.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
      await this.audit.record(manager, {
        organizationId: null,
        action: 'totp.disable',
        entityType: 'user',
        entityId: userId,
        context,
      });
    });
  }

  /**
   * Whether `code` is the user's current TOTP code. The secret is stored sealed (AES-256-GCM under
   * `SECRETS_SEALING_KEY`, bound to the user); one that does not open (the key changed, or it was
   * copied from another user's row) fails closed: no code is valid.
   */
  private totpValid(user: { id: string; totp_secret: string | null }, code: string): boolean {
    if (!user.totp_secret) return false;
    let secret: string;
    try {
      secret = openStoredSecret(user.totp_secret, this.config.sealing.key, totpAad(user.id));
    } catch {
      this.logger.warn(
        `The TOTP secret of user ${user.id} cannot be read (SECRETS_SEALING_KEY changed?)`,
      );
      return false;
    }
    // One step of tolerance each way for clock skew; time comes from the injected clock.
    const totp = authenticator.clone({ window: 1, epoch: this.clock.now().getTime() });
    try {
      return totp.check(code, secret);
    } catch {
      return false;
    }
  }

  private async consumeRecoveryCode(userId: string, code: string): Promise<boolean> {
    const used = await this.db.runAsSystem('authentication', (manager) =>
      returningRows<{ id: string }>(
        manager,
        `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
        [userId, sha256(code), this.clock.now()],
      ),
    );
    return used.length === 1;
  }
}
