// Public surface of the comments module.
import { CommentAttachmentEntity, CommentEntity, CommentReactionEntity } from './comment.entity';

export { CommentsModule, CommentsServiceModule } from './comments.module';
export { CommentsService } from './comments.service';
export { CommentEntity, CommentAttachmentEntity, CommentReactionEntity } from './comment.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const COMMENTS_ENTITIES = [CommentEntity, CommentAttachmentEntity, CommentReactionEntity];
