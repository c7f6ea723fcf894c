import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { MemberDirectoryModule } from '../memberships';
import { FollowersController } from './followers.controller';
import { FollowersRepository } from './followers.repository';
import { FollowersService } from './followers.service';

/** The service alone (no routes), for the worker's notifications consumer. */
@Module({
  imports: [AccessModule, MemberDirectoryModule],
  providers: [FollowersService, FollowersRepository],
  exports: [FollowersService],
})
export class FollowersServiceModule {}

/** See README.md in this folder. The API side: the followers routes. */
@Module({
  imports: [FollowersServiceModule],
  controllers: [FollowersController],
})
export class FollowersModule {}
