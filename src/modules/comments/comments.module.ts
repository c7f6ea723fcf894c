import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { FileStorageModule } from '../files';
import { RealtimePublisherModule } from '../realtime';
import { UsersModule } from '../users';
import { CommentsController } from './comments.controller';
import { CommentsRepository } from './comments.repository';
import { CommentChildrenRegistration, CommentsService } from './comments.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, AccessModule, UsersModule, FileStorageModule, RealtimePublisherModule],
  controllers: [CommentsController],
  providers: [CommentsService, CommentsRepository, CommentChildrenRegistration],
  exports: [CommentsService],
})
export class CommentsModule {}
