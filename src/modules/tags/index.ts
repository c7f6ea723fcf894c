// Public surface of the tags module.
import { TagEntity, TaggingEntity } from './tag.entity';

export { TagsModule, TagsServiceModule } from './tags.module';
export { TagsService } from './tags.service';
export type { TagActor, TaggingsChanged } from './tags.service';
export { tagNamesOf } from './tags.repository';
export { addTagFilters, tagsFilterField } from './tags-filter';
export {
  distinctTagNames,
  isValidTagName,
  MAX_TAGS_PER_RECORD,
  TAG_NAME_PATTERN,
  TAG_NAME_RULE,
  tagNameKey,
  TagNames,
} from './tag-names';
export { TagEntity, TaggingEntity } from './tag.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const TAGS_ENTITIES = [TagEntity, TaggingEntity];
export { ImportTags } from './import-tags';
export type { TaggedImportRow } from './import-tags';
