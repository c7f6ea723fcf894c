export { UsersModule } from './users.module';
export { UserEntity } from './user.entity';
export { UsersRepository, UserRow } from './users.repository';
