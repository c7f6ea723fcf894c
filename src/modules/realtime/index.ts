// Public surface of the realtime module.
import { ChatMessageEntity, ChatParticipantEntity, ChatRoomEntity } from './chat.entity';

export { RealtimeModule, RealtimePublisherModule, RealtimeWorkerModule } from './realtime.module';
export {
  ANNOUNCED_ENTITY_TYPES,
  announcementsOf,
  EntityChangesConsumer,
} from './entity-changes.consumer';
export { EntityAction, RealtimePublisher } from './realtime.publisher';
export { RedisIoAdapter } from './redis-io.adapter';
export { readersRoom, userRoom } from './rooms';
export { ChatMessageEntity, ChatParticipantEntity, ChatRoomEntity } from './chat.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const REALTIME_ENTITIES = [ChatRoomEntity, ChatParticipantEntity, ChatMessageEntity];
