import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import { returningRows } from '../../core/database';
import { NotFoundError } from '../../core/http/errors';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import { MailService } from '../mail';
import { PasswordHasher, UserAccountsService } from '../users';
import type { SignupDto } from './dto/account.dto';
import { sha256 } from './password-reset-tokens';
import { AuthErrors } from './auth.errors';

/** A sign-up link works once, for 24 hours. */
export const SIGNUP_TOKEN_TTL_MS = 24 * 3_600_000;

interface SignupRequestRow {
  email: string;
  full_name: string;
  organization_name: string;
  organization_code: string;
  password_hash: string;
}

/**
 * Self-service sign-up (`ALLOW_SIGNUP=true`, else every route is 404): a person asks for an account
 * and a new root organization, proves the mailbox is theirs, and becomes its Owner. The request
 * answers the same 202 whether or not the email has an account (that account's owner gets a "you
 * already have an account" mail instead of a link), after the same argon2 work.
 */
@Injectable()
export class SignupService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly accounts: UserAccountsService,
    private readonly hasher: PasswordHasher,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  private assertEnabled(): void {
    if (!this.config.app.allowSignup) throw new NotFoundError();
  }

  /**
   * Stores the pending sign-up (token hashed) and queues its mail in one transaction: with the
   * queue down nothing is written (503). 409 `organization_code_taken` when the code is in use.
   */
  async request(dto: SignupDto, language: string): Promise<void> {
    this.assertEnabled();
    // Hash first, on every path: an existing email must cost the same time as a new one.
    const passwordHash = await this.hasher.hash(dto.password);
    const email = dto.email.trim().toLowerCase();
    await this.db.runAsSystem('authentication', async (manager) => {
      await this.assertCodeFree(manager, dto.organizationCode);
      const existing = await this.accounts.findRowByEmail(manager, email);
      if (existing) {
        await this.mail.send(existing.email, 'signup-existing', existing.language ?? language, {
          name: existing.full_name || existing.email,
          email: existing.email,
          link: `${this.config.app.publicUrl}/login`,
          resetLink: `${this.config.app.publicUrl}/forgot-password`,
        });
        return;
      }
      const token = randomBytes(32).toString('base64url');
      await manager.query(
        `INSERT INTO signup_requests
           (email, full_name, organization_name, organization_code, password_hash, language, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          email,
          dto.fullName,
          dto.organizationName,
          dto.organizationCode,
          passwordHash,
          language,
          sha256(token),
          new Date(this.clock.now().getTime() + SIGNUP_TOKEN_TTL_MS),
        ],
      );
      await this.mail.send(email, 'signup-verify', language, {
        name: dto.fullName,
        email,
        organization: dto.organizationName,
        link: `${this.config.app.publicUrl}/signup/verify?token=${token}`,
        validHours: SIGNUP_TOKEN_TTL_MS / 3_600_000,
      });
    });
  }

  /**
   * Spends the token and, in one transaction, creates the account, its root organization and an
   * Owner membership (audited in the new organization's chain). 422 `invalid_signup_token` when
   * the token is unknown, used or expired; 409 when the email got an account or the code got
   * taken since the request.
   */
  async verify(
    token: string,
    context: AuditContext,
  ): Promise<{ userId: string; organizationId: string }> {
    this.assertEnabled();
    return this.db.runAsSystem('authentication', async (manager) => {
      const now = this.clock.now();
      const [request] = await returningRows<SignupRequestRow>(
        manager,
        `UPDATE signup_requests SET used_at = $2
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
          RETURNING email, full_name, organization_name, organization_code, password_hash`,
        [sha256(token), now],
      );
      if (!request) {
        throw AuthErrors.invalid_signup_token();
      }
      if (await this.accounts.findRowByEmail(manager, request.email)) {
        throw AuthErrors.account_exists();
      }
      await this.assertCodeFree(manager, request.organization_code);
      const userId = uuidv7();
      const organizationId = uuidv7();
      const membershipId = uuidv7();
      await this.accounts.insert(manager, {
        id: userId,
        email: request.email,
        passwordHash: request.password_hash,
        fullName: request.full_name,
        language: null,
        timezone: 'UTC',
      });
      await manager.query(
        `INSERT INTO organizations (id, code, name, type_code, path, depth) VALUES ($1, $2, $3, 'company', $4, 0)`,
        [
          organizationId,
          request.organization_code,
          request.organization_name,
          `/${organizationId}/`,
        ],
      );
      await manager.query(
        `INSERT INTO memberships (id, organization_id, user_id, applies_to_descendants, is_default) VALUES ($1, $2, $3, true, true)`,
        [membershipId, organizationId, userId],
      );
      await manager.query(
        `INSERT INTO membership_roles (membership_id, role_id)
         SELECT $1, id FROM roles WHERE organization_id IS NULL AND name = 'Owner'`,
        [membershipId],
      );
      await this.audit.record(manager, {
        organizationId,
        action: 'signup.complete',
        entityType: 'organization',
        entityId: organizationId,
        changes: {
          userId,
          email: request.email,
          organizationCode: request.organization_code,
          role: 'Owner',
        },
        context: { ...context, actorUserId: userId },
      });
      return { userId, organizationId };
    });
  }

  private async assertCodeFree(manager: EntityManager, code: string): Promise<void> {
    const [taken] = await manager.query<{ id: string }[]>(
      'SELECT id FROM organizations WHERE lower(code) = lower($1)',
      [code],
    );
    if (taken) {
      throw AuthErrors.organization_code_taken();
    }
  }
}
