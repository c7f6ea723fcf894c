import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { FileStorageModule } from '../files';
import { MembershipsModule } from '../memberships';
import {
  MembersController,
  MyProfileController,
  UserProfilesController,
} from './profiles.controller';
import { ProfilesRepository } from './profiles.repository';
import { ProfilesService } from './profiles.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, FileStorageModule, MembershipsModule],
  controllers: [MyProfileController, MembersController, UserProfilesController],
  providers: [ProfilesService, ProfilesRepository],
  exports: [ProfilesService],
})
export class ProfilesModule {}
