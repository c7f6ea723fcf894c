import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { MembershipsModule } from '../memberships';
import { OrganizationsModule } from '../organizations';
import { PasswordHasher } from './password-hasher';
import { UserAccountsService } from './user-accounts.service';
import { MyAccountController, UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { UserAccountsRegistration } from './user-accounts-registration';

/**
 * See README.md in this folder. `UsersService` also needs `AccountSessions` (account-sessions.ts),
 * which `auth` provides globally: users does not import auth (auth depends on users).
 */
@Module({
  imports: [AuditModule, MembershipsModule, OrganizationsModule],
  controllers: [UsersController, MyAccountController],
  providers: [
    UsersService,
    UsersRepository,
    UserAccountsService,
    PasswordHasher,
    UserAccountsRegistration,
  ],
  exports: [UserAccountsService, PasswordHasher],
})
export class UsersModule {}

/**
 * `UserAccountsService` alone (no routes, no `AccountSessions`): for modules whose services only
 * read accounts and must also load in the worker (comments and activities for automation).
 */
@Module({ providers: [UserAccountsService, UsersRepository], exports: [UserAccountsService] })
export class UserAccountsModule {}
