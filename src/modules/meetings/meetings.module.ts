import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { MemberDirectoryModule } from '../memberships';
import { OrganizationsServiceModule } from '../organizations';
import { MeetingTargetsModule } from './meeting-targets';
import {
  CalendarFeedController,
  MeetingsController,
  VideoWebhookController,
} from './meetings.controller';
import { MeetingsRepository } from './meetings.repository';
import { MeetingsService } from './meetings.service';
import { JitsiVideoProvider, NoneVideoProvider, VideoProviders } from './video-provider';

/** See README.md in this folder. */
@Module({
  imports: [
    AccessModule,
    AuditModule,
    MemberDirectoryModule,
    OrganizationsServiceModule,
    MeetingTargetsModule,
  ],
  controllers: [MeetingsController, CalendarFeedController, VideoWebhookController],
  providers: [
    MeetingsService,
    MeetingsRepository,
    NoneVideoProvider,
    JitsiVideoProvider,
    VideoProviders,
  ],
})
export class MeetingsModule {}
