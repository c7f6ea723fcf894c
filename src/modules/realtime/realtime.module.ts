import { Global, Module } from '@nestjs/common';
import { RedisModule } from '../../core/redis';
import { AccessModule } from '../access';
import { AuthModule } from '../auth';
import { ChatController } from './chat.controller';
import { ChatRepository } from './chat.repository';
import { ChatService } from './chat.service';
import { EntityChangesConsumer } from './entity-changes.consumer';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimePublisher } from './realtime.publisher';

/** Publishing realtime events, from the API or the worker (global: any module may publish). */
@Global()
@Module({ providers: [RealtimePublisher], exports: [RealtimePublisher] })
export class RealtimePublisherModule {}

/** See README.md in this folder. The API side: the socket.io gateway and chat. */
@Module({
  imports: [RealtimePublisherModule, AccessModule, AuthModule, RedisModule],
  controllers: [ChatController],
  providers: [ChatService, ChatRepository, RealtimeGateway],
})
export class RealtimeModule {}

/** The worker side: `entity.changed` announcements, a domain-event consumer (`realtime`). */
@Module({ imports: [RealtimePublisherModule], providers: [EntityChangesConsumer] })
export class RealtimeWorkerModule {}
