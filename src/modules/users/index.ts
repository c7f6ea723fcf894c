export { UsersModule } from './users.module';
export { UserEntity } from './user.entity';
