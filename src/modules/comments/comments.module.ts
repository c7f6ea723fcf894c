import { TimelineSourcesModule } from '../timeline';
import { CommentTimelineSource } from './comment-timeline';
import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { FileStorageModule } from '../files';
import { RealtimePublisherModule } from '../realtime';
import { UserAccountsModule, UsersModule } from '../users';
import { CommentsController } from './comments.controller';
import { CommentsRepository } from './comments.repository';
import { CommentChildrenRegistration, CommentsService } from './comments.service';

/** See README.md in this folder. */
@Module({
  imports: [
    AuditModule,
    AccessModule,
    UsersModule,
    FileStorageModule,
    RealtimePublisherModule,
    TimelineSourcesModule,
  ],
  controllers: [CommentsController],
  providers: [
    CommentsService,
    CommentsRepository,
    CommentChildrenRegistration,
    CommentTimelineSource,
  ],
  exports: [CommentsService],
})
export class CommentsModule {}

/**
 * `CommentsService` without the routes, loadable in the worker (automation's `create_comment`):
 * the same service, with only what it injects.
 */
@Module({
  imports: [
    AuditModule,
    AccessModule,
    UserAccountsModule,
    FileStorageModule,
    RealtimePublisherModule,
  ],
  providers: [CommentsService, CommentsRepository],
  exports: [CommentsService],
})
export class CommentsServiceModule {}
