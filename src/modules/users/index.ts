import { UserEntity } from './user.entity';

export { UsersModule } from './users.module';
export { UserEntity } from './user.entity';
export { UsersRepository, UserRow } from './users.repository';
export { createAdmin, resetAdminPassword } from './create-admin';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const USERS_ENTITIES = [UserEntity];
