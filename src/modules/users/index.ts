import { UserEntity } from './user.entity';

export { UserAccountsModule, UsersModule } from './users.module';
export { UserEntity } from './user.entity';
export { UsersRepository, UserRow, UserAccountRow } from './users.repository';
export { UserAccountsService } from './user-accounts.service';
export { PasswordHasher } from './password-hasher';
export { AccountSessions, INVITATION_TOKEN_TTL_MS } from './account-sessions';
export { UsersErrors } from './users.errors';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const USERS_ENTITIES = [UserEntity];
