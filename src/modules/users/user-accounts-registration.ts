import { Injectable, OnModuleInit } from '@nestjs/common';
import { MemberAccounts } from '../memberships';
import { UsersRepository } from './users.repository';

/**
 * Registers "does this account exist?" (`UsersRepository.exists`) with memberships'
 * `MemberAccounts`, so `POST /memberships` answers 422 `unknown_user` without SQL on `users`.
 * API side: memberships are created by id only through that route.
 */
@Injectable()
export class UserAccountsRegistration implements OnModuleInit {
  constructor(
    private readonly accounts: MemberAccounts,
    private readonly repository: UsersRepository,
  ) {}

  onModuleInit(): void {
    this.accounts.register({ exists: this.repository.exists.bind(this.repository) });
  }
}
