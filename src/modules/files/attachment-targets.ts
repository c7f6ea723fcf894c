import { Injectable, Module } from '@nestjs/common';
import { ExistenceChecks } from '../../core/database';
import type { AttachableType } from './dto/file.dto';

/**
 * What files can be attached to (`ATTACHABLE_TYPES`): each owner module registers
 * `{ type, exists(manager, orgId, id) }` from its `onModuleInit` (products, contacts, warehouses
 * for warehouses and stock locations, categories), so `AttachmentsService` checks the target
 * without SQL on the owner's table and without importing the owner.
 */
@Injectable()
export class AttachmentTargets extends ExistenceChecks<AttachableType> {}

/**
 * Provides the one {@link AttachmentTargets}: imported by `FilesModule` (the consumer) and by each
 * owner's API module (to register). A Nest module is a singleton, so all share one registry.
 */
@Module({ providers: [AttachmentTargets], exports: [AttachmentTargets] })
export class AttachmentTargetsModule {}
