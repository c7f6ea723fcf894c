import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantDatabase } from '../../core/tenancy';
import { UserAccountRow, UserRow, UsersRepository } from './users.repository';

/**
 * The users module's public service for accounts as sign-in, the CLI and invitations see them
 * (credential state included). `auth` composes these calls with its own tables and the audit
 * row in one transaction, so the write methods take the caller's `manager`; the lookups open
 * their own system transaction (`authentication`: an account spans organizations). All SQL is in
 * `UsersRepository`.
 */
@Injectable()
export class UserAccountsService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly db: TenantDatabase,
  ) {}

  /** The account (with credential state) with this email, case-insensitive, or undefined. */
  findByEmail(email: string): Promise<UserAccountRow | undefined> {
    return this.db.runAsSystem('authentication', (m) => this.repository.findAccount(m, { email }));
  }

  /** The account (with credential state) with this id, or undefined. */
  findById(id: string): Promise<UserAccountRow | undefined> {
    return this.db.runAsSystem('authentication', (m) => this.repository.findAccount(m, { id }));
  }

  /** The public view of an account by id, in the caller's transaction. */
  findRowById(manager: EntityManager, id: string): Promise<UserRow | undefined> {
    return this.repository.findById(manager, id);
  }

  /** The public view of an account by email (case-insensitive), in the caller's transaction. */
  findRowByEmail(manager: EntityManager, email: string): Promise<UserRow | undefined> {
    return this.repository.findByEmail(manager, email);
  }

  /** Creates an account (`passwordHash` from `PasswordHasher`), in the caller's transaction. */
  insert(manager: EntityManager, row: Parameters<UsersRepository['insert']>[1]): Promise<void> {
    return this.repository.insert(manager, row);
  }

  /** See `UsersRepository.recordLoginSuccess`. */
  recordLoginSuccess(manager: EntityManager, id: string, at: Date): Promise<void> {
    return this.repository.recordLoginSuccess(manager, id, at);
  }

  /** See `UsersRepository.countLoginFailure`: the failure count after this one. */
  countLoginFailure(manager: EntityManager, id: string, at: Date): Promise<number> {
    return this.repository.countLoginFailure(manager, id, at);
  }

  /** Locks the account until `until`. */
  lock(manager: EntityManager, id: string, until: Date): Promise<void> {
    return this.repository.lock(manager, id, until);
  }

  /** Sets a new password hash, unlocking the account (`changedAt` invalidates older access tokens). */
  setPassword(manager: EntityManager, id: string, hash: string, changedAt: Date): Promise<void> {
    return this.repository.setPassword(manager, id, hash, changedAt);
  }

  /** Stores the TOTP secret being enrolled, in its own transaction. */
  setTotpSecret(id: string, secret: string): Promise<void> {
    return this.db.runAsSystem('authentication', (m) =>
      this.repository.setTotpSecret(m, id, secret),
    );
  }

  /** Turns 2FA on. */
  enableTotp(manager: EntityManager, id: string): Promise<void> {
    return this.repository.enableTotp(manager, id);
  }

  /** Turns 2FA off and forgets the secret. */
  disableTotp(manager: EntityManager, id: string): Promise<void> {
    return this.repository.disableTotp(manager, id);
  }

  /** CLI `create-admin`: the id of the account with this email, or undefined. */
  async findIdByEmail(manager: EntityManager, email: string): Promise<string | undefined> {
    return (await this.repository.findByEmail(manager, email))?.id;
  }

  /** CLI `create-admin` on an existing account. */
  makeActiveSuperuser(manager: EntityManager, id: string, hash: string): Promise<void> {
    return this.repository.makeActiveSuperuser(manager, id, hash);
  }

  /** CLI `create-admin` on a new email. */
  insertSuperuser(manager: EntityManager, id: string, email: string, hash: string): Promise<void> {
    return this.repository.insertSuperuser(manager, id, email, hash);
  }

  /** CLI `reset-admin-password`: up to two matching superusers. */
  findSuperusers(
    manager: EntityManager,
    email: string | null,
  ): Promise<{ id: string; email: string }[]> {
    return this.repository.findSuperusers(manager, email);
  }

  /** CLI `reset-admin-password`: new password, active, unlocked. */
  resetSuperuserPassword(manager: EntityManager, id: string, hash: string): Promise<void> {
    return this.repository.resetSuperuserPassword(manager, id, hash);
  }
}
