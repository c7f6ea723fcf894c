import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { AuthModule } from '../auth';
import { MembershipsModule } from '../memberships';
import { MyAccountController, UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, AuthModule, MembershipsModule],
  controllers: [UsersController, MyAccountController],
  providers: [UsersService, UsersRepository],
  exports: [UsersRepository],
})
export class UsersModule {}
