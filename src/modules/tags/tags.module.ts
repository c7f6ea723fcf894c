import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { TaggingsController, TagsController } from './tags.controller';
import { TagsRepository } from './tags.repository';
import { TagsService } from './tags.service';

/**
 * The service alone (no routes): products and contacts (API and worker: imports) set tags
 * through it, and it registers taggings as children of targets.
 */
@Module({
  imports: [AuditModule, AccessModule],
  providers: [TagsService, TagsRepository],
  exports: [TagsService],
})
export class TagsServiceModule {}

/** See README.md in this folder. The API side: `/tags` and `/taggings`. */
@Module({
  imports: [TagsServiceModule],
  controllers: [TagsController, TaggingsController],
})
export class TagsModule {}
