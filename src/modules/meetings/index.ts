// Public surface of the meetings module.
import {
  CalendarFeedTokenEntity,
  MeetingEntity,
  MeetingParticipantEntity,
  VideoProviderEventEntity,
} from './meeting.entity';

export { MeetingsModule } from './meetings.module';
export { MeetingTargetsModule } from './meeting-targets';
export { MeetingsWorkerModule } from './meeting-room.job';
export type { VideoProvider } from './video-provider';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const MEETINGS_ENTITIES = [
  MeetingEntity,
  MeetingParticipantEntity,
  CalendarFeedTokenEntity,
  VideoProviderEventEntity,
];
